/* netns.c: loopback bring-up inside the sandbox's own network namespace (one ioctl pair: no netlink
 * library is needed for a single flag on a single interface), and the egress proxy's door in it. */
#include "netns.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int al_netns_loopback_up(struct al_err *err)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return al_err_sys(err, errno, "loopback: socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return al_err_sys(err, errno, "loopback: get flags");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return al_err_sys(err, errno, "loopback: up");
	return 0;
}

int al_netns_proxy_listener(uint16_t port, struct al_err *err)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return al_err_sys(err, errno, "egress: socket");
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 4096) < 0)
		return al_err_sys(err, errno, "egress: listen on 127.0.0.1:%u", port);
	return steal_fd(&s);
}
