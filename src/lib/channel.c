/* channel.c: the status socket between the launcher and the sandbox's pid 1: one fixed-size message per
 * SOCK_SEQPACKET record, an fd riding along where needed (the pty master, the rootfs tree). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

int al_child_msg_send(int sock, const struct al_child_msg *msg, int fd)
{
	return al_send_with_fd(sock, msg, sizeof *msg, fd, 0);
}

ssize_t al_child_msg_recv(int sock, struct al_child_msg *msg, int *fd)
{
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof *msg};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	*fd = -1;
	ssize_t n;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0)
		if (errno != EINTR)
			return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof *fd);
	/* The sandbox is hostile once it runs: anything but one whole message is treated as nothing. */
	if (n != (ssize_t)sizeof *msg && n != 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	return n;
}
