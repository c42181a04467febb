/* console.c: the test side of --console-socket, as a containerd shim or conmon is: listen on SOCKET,
 * take one pty master (SCM_RIGHTS), write INPUT to it if given, copy what comes out to stdout until the
 * other side is gone. Usage: al-console SOCKET [INPUT]. Gives up after 30 s. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strlen(argv[1]) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "usage: al-console SOCKET [INPUT]\n");
		return 2;
	}
	alarm(30);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, argv[1]);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0) {
		perror("al-console: listen");
		return 1;
	}
	int c = accept(l, NULL, NULL);
	char name[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {name, sizeof name - 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n = c < 0 ? -1 : recvmsg(c, &mh, 0);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "al-console: no fd received\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof master);
	name[n] = '\0';
	fprintf(stderr, "al-console: got %s\n", name);
	if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
		perror("al-console: write");
	char buf[4096];
	while ((n = read(master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && write(1, buf, (size_t)n) < 0)
			break;
	return 0;
}
