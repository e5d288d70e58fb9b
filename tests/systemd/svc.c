/* SPDX-License-Identifier: ISC */
/* svc — a tiny service for chdrop's systemd tests (make check-systemd).
 *
 * Built static, so it runs in a root that holds nothing else.
 *
 *   svc serve    socket activation: check LISTEN_PID and LISTEN_FDS, then
 *                answer every connection on fd 3 with one line
 *                "hello listen_pid=ok listen_fds=1 uid=N gid=N" and close it.
 *   svc notify   Type=notify: send "READY=1" and a STATUS= line to
 *                $NOTIFY_SOCKET, report the result on stdout, then wait for
 *                a signal.
 *   svc log-notify
 *                the same, after one syslog line to /dev/log, the way
 *                syslog(3) writes it (a datagram "<PRI>Mmm dd hh:mm:ss
 *                svc-chdrop[PID]: ..."): READY=1 is sent only once the line
 *                was taken, so a unit that reached "active" has logged.
 *
 * Any failure prints "svc: ..." on stderr and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_FD 3

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "svc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void die_msg(const char *what)
{
	fprintf(stderr, "svc: %s\n", what);
	exit(1);
}

static _Noreturn void serve(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char want[32], line[160];
	int acc = 0;
	socklen_t len = sizeof acc;

	snprintf(want, sizeof want, "%ld", (long)getpid());
	if (!pid || strcmp(pid, want) != 0)
		die_msg("LISTEN_PID is not my pid");
	if (!fds || strcmp(fds, "1") != 0)
		die_msg("LISTEN_FDS is not 1");
	if (getsockopt(LISTEN_FD, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0)
		die("getsockopt(3, SO_ACCEPTCONN)");
	if (!acc)
		die_msg("fd 3 is not a listening socket");
	snprintf(line, sizeof line, "hello listen_pid=ok listen_fds=%s "
	         "uid=%ld gid=%ld\n", fds, (long)getuid(), (long)getgid());
	for (;;) {
		int c = accept(LISTEN_FD, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (write(c, line, strlen(line)) < 0)
			perror("svc: write");
		close(c);
	}
}

/* One line to the syslog socket, as glibc's syslog(3) sends it (LOG_DAEMON |
 * LOG_NOTICE, no LOG_CONS fallback: a line that cannot be sent is a failure
 * here, not a silent loss). */
static void log_line(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char stamp[32], msg[160];
	struct tm tm;
	time_t now = time(NULL);
	int s;

	if (!gmtime_r(&now, &tm) ||
	    !strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm))
		die_msg("cannot format the time");
	snprintf(msg, sizeof msg, "<%d>%s svc-chdrop[%ld]: "
	         "logged through /dev/log as uid %ld",
	         3 << 3 | 5, stamp, (long)getpid(), (long)getuid());
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect(/dev/log)");
	if (send(s, msg, strlen(msg), 0) < 0)
		die("send(/dev/log)");
	close(s);
}

static _Noreturn void notify(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[128];
	size_t n;
	socklen_t salen;
	int s;

	if (!path || !*path)
		die_msg("NOTIFY_SOCKET is not set");
	n = strlen(path);
	if (n >= sizeof sa.sun_path)
		die_msg("NOTIFY_SOCKET is too long");
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;           /* abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	                    (path[0] == '@' ? 0 : 1));
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	snprintf(msg, sizeof msg, "READY=1\nSTATUS=svc ready as uid %ld",
	         (long)getuid());
	if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&sa, salen) < 0) {
		printf("notify=%s\n", strerror(errno));
		fflush(stdout);
		die("sendto($NOTIFY_SOCKET)");
	}
	close(s);
	printf("notify=ok\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "serve") == 0)
		serve();
	if (argc == 2 && strcmp(argv[1], "notify") == 0)
		notify();
	if (argc == 2 && strcmp(argv[1], "log-notify") == 0) {
		log_line();
		notify();
	}
	fprintf(stderr, "usage: svc serve|notify|log-notify\n");
	return 2;
}
