/* SPDX-License-Identifier: MIT */
/*
 * The load driver for `saml2oidc serve` on loopback, and the in-process
 * memory run. Built by `make bench`, never by `make check`.
 *
 *   load http -u URL -p PID -c CONFIG -f FIXTURES [-n N] [-C 1,8,64]
 *            [-k rsa|ec] [-o OUT.json]
 *   load memory -c CONFIG -f FIXTURES [-n N] [-o OUT.json]
 *
 * http: for each concurrency level, N logins are started with GET
 * /authorize at up to 8 connections (timed too: the POST binding's form
 * gives the AuthnRequest, signed with the SP key, its ID and the
 * RelayState), one Response per AuthnRequest is signed here (client
 * work, before the clock starts), then the N Responses are posted to
 * /saml/acs over that many concurrent keep-alive connections; the codes
 * they return are redeemed at /token, and /.well-known/jwks.json is
 * fetched N times. Every answer is checked (302 with a code, 200 with
 * tokens): a refused request is counted, never timed as a success. The
 * server's CPU time is read around each timed phase from its threads'
 * /proc/PID/task/TID/schedstat (user and kernel, in nanoseconds), the
 * kernel's share from /proc/PID/stat, its peak RSS from
 * /proc/PID/status. In the same run the driver times the ACS's pipeline
 * in-process (base64 decoding, parse, verify, validate with the replay
 * cache, map; then with the ID token's mint as well) on documents signed
 * the same way, so the server's CPU per ACS request and the pipeline's
 * are a ratio measured under the same load. A third in-process figure
 * sleeps 100 us between responses, as the server's threads wait on
 * their sockets between requests: the CPU a thread pays for being woken.
 *
 * memory: N distinct Responses (ECDSA-signed, connection corp-ec, so
 * the signing does not dominate), each consumed, replay-checked in a
 * memory store, mapped and minted, with an injected clock advancing
 * 10 ms per response so that replay-cache entries expire as they would
 * at 100 logins per second. The resident set size is sampled every
 * N/20 responses.
 */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "bench/inproc.h"

#define SECRET		"fixture-client-secret"
/* a PKCE verifier and its S256 challenge (RFC 7636 §4.2) */
#define VERIFIER	"dBjftJeZ4CVP-mJ0kXn9mI_NdF_Glrt2AR5vVvmMaDk"
#define CHALLENGE	"7Gd8EYDGuDaU99UK8e6zGtDf85p8y1RSVJ-ibKxWfKw"
#define MAX_BODY	(1u << 20)	/* bytes kept of one answer */

struct req {
	const char	*path;
	char		*body;		/* POST form, or NULL for GET */
	bool		 basic;		/* client_secret_basic */
	long		 status;
	char		*location;	/* Location header, owned */
	struct s2o_buf	 answer;
	double		 t0, latency;	/* seconds */
};

static const char		*base_url;

/* utime and stime of a process in clock ticks, from /proc/PID/stat. */
static void
proc_ticks(long pid, unsigned long *ut, unsigned long *st)
{
	char	path[64], buf[1024], *p;
	FILE	*fp;
	size_t	n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		die("cannot read the server's /proc/PID/stat");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* fields after the command name, which ends with the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", ut,
	    st) != 2)
		die("unexpected /proc/PID/stat");
}

/*
 * CPU seconds of a process: the sum over its threads of the time on CPU
 * from /proc/PID/task/TID/schedstat (nanoseconds); utime + stime of
 * /proc/PID/stat (clock ticks) where schedstat is missing. The server's
 * worker threads live as long as it does, so none is lost between two
 * readings.
 */
static double
proc_cpu(long pid)
{
	char		 path[300];
	DIR		*dir;
	struct dirent	*de;
	FILE		*fp;
	unsigned long long ns, total = 0;
	unsigned long	 ut, st;
	bool		 ok = false;

	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if ((dir = opendir(path)) != NULL) {
		ok = true;
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/task/%s/"
			    "schedstat", pid, de->d_name);
			if ((fp = fopen(path, "r")) == NULL)
				continue;
			if (fscanf(fp, "%llu", &ns) == 1)
				total += ns;
			else
				ok = false;
			fclose(fp);
		}
		closedir(dir);
		if (ok && total > 0)
			return (double)total / 1e9;
	}
	proc_ticks(pid, &ut, &st);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- the HTTP engine: libcurl multi, one easy handle per connection --- */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct req	*r = arg;
	struct s2o_err	 err;

	s2o_err_clear(&err);
	if (s2o_buf_add(&r->answer, p, size * n, &err) == -1)
		return 0;
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct req	*r = arg;
	size_t		 len = size * n;

	if (len > 10 && strncasecmp(p, "Location: ", 10) == 0) {
		free(r->location);
		if ((r->location = strndup(p + 10, len - 10)) != NULL)
			r->location[strcspn(r->location, "\r\n")] = '\0';
	}
	return len;
}

static void
start(CURLM *m, CURL *h, struct req *r)
{
	char	url[4096];

	snprintf(url, sizeof(url), "%s%s", base_url, r->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (r->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
	} else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (r->basic) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, CLIENT ":" SECRET);
	} else
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
	s2o_buf_init(&r->answer, MAX_BODY);
	r->t0 = now(CLOCK_MONOTONIC);
	curl_multi_add_handle(m, h);
}

/* Runs the n requests over conc connections; returns the wall time. */
static double
run(struct req *reqs, size_t n, int conc)
{
	CURLM		*m = curl_multi_init();
	CURL		**h = calloc((size_t)conc, sizeof(*h));
	CURLMsg		*msg;
	struct req	*r;
	size_t		 next = 0, done = 0;
	double		 t0;
	int		 running, left, i;

	if (m == NULL || h == NULL)
		die("curl_multi_init");
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conc);
	for (i = 0; i < conc; i++) {
		if ((h[i] = curl_easy_init()) == NULL)
			die("curl_easy_init");
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 60L);
	}
	t0 = now(CLOCK_MONOTONIC);
	for (i = 0; i < conc && next < n; i++)
		start(m, h[i], &reqs[next++]);
	while (done < n) {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			CURL *e = msg->easy_handle;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
			r->latency = now(CLOCK_MONOTONIC) - r->t0;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE,
				    &r->status);
			else
				r->status = -1;
			curl_multi_remove_handle(m, e);
			done++;
			if (next < n)
				start(m, e, &reqs[next++]);
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	t0 = now(CLOCK_MONOTONIC) - t0;
	for (i = 0; i < conc; i++)
		curl_easy_cleanup(h[i]);
	free(h);
	curl_multi_cleanup(m);
	return t0;
}

static void
reqs_reset(struct req *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(reqs[i].body);
		free(reqs[i].location);
		s2o_buf_cleanup(&reqs[i].answer);
		memset(&reqs[i], 0, sizeof(reqs[i]));
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Rate, p50 and p99 of a finished run into o; returns the failures. */
static size_t
summarize(json_t *o, const char *name, struct req *reqs, size_t n,
    double wall, double cpu, long want)
{
	double	*lat = calloc(n, sizeof(*lat));
	size_t	 bad = 0, i;

	if (lat == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		lat[i] = reqs[i].latency;
		if (reqs[i].status != want && bad++ == 0)
			fprintf(stderr, "load: %s: HTTP %ld, expected %ld: "
			    "%.200s\n", name, reqs[i].status, want,
			    reqs[i].answer.data ? reqs[i].answer.data : "");
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	json_object_set_new(o, name, json_pack("{s:f, s:f, s:f, s:f, s:I}",
	    "requests_per_second", (double)n / wall,
	    "p50_ms", lat[n / 2] * 1e3, "p99_ms", lat[n * 99 / 100] * 1e3,
	    "server_cpu_ms_per_request", cpu / (double)n * 1e3,
	    "failed", (json_int_t)bad));
	printf("  %-9s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  server CPU "
	    "%.3f ms/req  failed %zu\n", name, (double)n / wall,
	    lat[n / 2] * 1e3, lat[n * 99 / 100] * 1e3, cpu / (double)n * 1e3,
	    bad);
	free(lat);
	return bad;
}

/* The value of the hidden input name in a form; owned, or NULL. */
static char *
form_value(const char *html, const char *name)
{
	char		 pat[64];
	const char	*p, *e;

	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	if ((p = strstr(html, pat)) == NULL)
		return NULL;
	p += strlen(pat);
	if ((e = strchr(p, '"')) == NULL)
		return NULL;
	return strndup(p, (size_t)(e - p));
}

static char *
url_encode(const char *s)
{
	char	*e = curl_easy_escape(NULL, s, 0), *out;

	if (e == NULL || (out = strdup(e)) == NULL)
		die("out of memory");
	curl_free(e);
	return out;
}

/* The pending login of each /authorize answer into ids and relays. */
static void
parse_logins(struct req *reqs, size_t n, char **ids, char **relays)
{
	struct s2o_err	 err;
	unsigned char	*xml;
	char		*b64, *p;
	size_t		 len;

	for (size_t i = 0; i < n; i++) {
		s2o_err_clear(&err);
		if (reqs[i].status != 200 || reqs[i].answer.data == NULL)
			die("/authorize did not answer the POST-binding form "
			    "(is the bench configuration's sso_binding post?)");
		b64 = form_value(reqs[i].answer.data, "SAMLRequest");
		relays[i] = form_value(reqs[i].answer.data, "RelayState");
		if (b64 == NULL || relays[i] == NULL || (xml =
		    s2o_b64_decode(b64, strlen(b64), 1u << 20, &len, &err))
		    == NULL || (p = strstr((char *)xml, " ID=\"")) == NULL)
			die("no AuthnRequest in the /authorize answer");
		p += 5;
		ids[i] = strndup(p, strcspn(p, "\""));
		free(xml);
		free(b64);
	}
}

/*
 * With S2O_LOAD_CALLGRIND set (the server running under valgrind
 * --tool=callgrind, see load.sh), the server's counters are zeroed before
 * a timed phase and dumped after it, so each dump holds that phase only.
 */
static void
callgrind(const char *what, const char *phase, long pid)
{
	char	cmd[256];

	if (getenv("S2O_LOAD_CALLGRIND") == NULL)
		return;
	if (phase != NULL)
		snprintf(cmd, sizeof(cmd), "callgrind_control %s %s %ld "
		    ">/dev/null", what, phase, pid);
	else
		snprintf(cmd, sizeof(cmd), "callgrind_control %s %ld "
		    ">/dev/null", what, pid);
	if (system(cmd) != 0)
		die("callgrind_control failed");
}

/* ---- http ------------------------------------------------------------- */

static json_t *
level(const struct target *t, int conc, size_t n, long pid,
    unsigned int salt)
{
	struct req	*reqs = calloc(n, sizeof(*reqs));
	char		**ids = calloc(n, sizeof(*ids));
	char		**relays = calloc(n, sizeof(*relays));
	char		**codes = calloc(n, sizeof(*codes));
	char		 path[1024], rid[48], aid[48], *doc, *b64, *e1, *e2;
	struct bsign_doc d;
	struct s2o_err	 err;
	json_t		*o = json_object();
	size_t		 len, i;
	unsigned long	 ut0, st0, ut1, st1;
	double		 wall, c0;

	if (reqs == NULL || ids == NULL || relays == NULL || codes == NULL)
		die("out of memory");
	printf("%d concurrent connections, %zu requests each\n", conc, n);
	/* the logins (at most 8 at once: they are the set-up of the ACS
	 * phase), each answered with a signed POST-binding AuthnRequest */
	snprintf(path, sizeof(path), "/authorize?client_id=" CLIENT
	    "&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A3000%%2Fcb"
	    "&response_type=code&scope=openid%%20email&state=s&nonce=n"
	    "&code_challenge=" CHALLENGE "&code_challenge_method=S256"
	    "&connection=%s", t->conn_name);
	for (i = 0; i < n; i++)
		reqs[i].path = path;
	callgrind("-z", NULL, pid);
	c0 = proc_cpu(pid);
	wall = run(reqs, n, conc < 8 ? conc : 8);
	summarize(o, "authorize", reqs, n, wall, proc_cpu(pid) - c0, 200);
	callgrind("-d", "authorize", pid);
	parse_logins(reqs, n, ids, relays);
	reqs_reset(reqs, n);
	/* the IdP's Responses: not timed */
	for (i = 0; i < n; i++) {
		s2o_err_clear(&err);
		memset(&d, 0, sizeof(d));
		fresh_id(rid, "r", i, salt);
		fresh_id(aid, "a", i, salt);
		d.issuer = t->issuer;
		d.response_id = rid;
		d.assertion_id = aid;
		d.in_response_to = ids[i];
		d.now = time(NULL);
		doc = bsign_response(t->signer, &d, &len);
		if ((b64 = s2o_b64_encode(doc, len, &err)) == NULL)
			die(err.detail);
		e1 = url_encode(b64);
		e2 = url_encode(relays[i]);
		reqs[i].path = "/saml/acs";
		len = strlen(e1) + strlen(e2) + 64;
		if ((reqs[i].body = malloc(len)) == NULL)
			die("out of memory");
		snprintf(reqs[i].body, len, "SAMLResponse=%s&RelayState=%s",
		    e1, e2);
		free(e1);
		free(e2);
		free(b64);
		free(doc);
	}
	callgrind("-z", NULL, pid);
	proc_ticks(pid, &ut0, &st0);
	c0 = proc_cpu(pid);
	wall = run(reqs, n, conc);
	summarize(o, "acs", reqs, n, wall, proc_cpu(pid) - c0, 302);
	proc_ticks(pid, &ut1, &st1);
	callgrind("-d", "acs", pid);
	if (ut1 + st1 > ut0 + st0) {
		double sys = (double)(st1 - st0) / (double)(ut1 + st1 - ut0 -
		    st0);

		printf("  acs: %.0f %% of the server's CPU time in the "
		    "kernel\n", sys * 100.0);
		json_object_set_new(json_object_get(o, "acs"),
		    "server_kernel_share", json_real(sys));
	}
	for (i = 0; i < n; i++) {
		const char *c = reqs[i].location ?
		    strstr(reqs[i].location, "code=") : NULL;

		codes[i] = c ? strndup(c + 5, strcspn(c + 5, "&")) : NULL;
	}
	reqs_reset(reqs, n);
	/* /token: each code once */
	for (i = 0; i < n; i++) {
		reqs[i].path = "/token";
		reqs[i].basic = true;
		len = 256 + (codes[i] ? strlen(codes[i]) : 0);
		if ((reqs[i].body = malloc(len)) == NULL)
			die("out of memory");
		snprintf(reqs[i].body, len, "grant_type=authorization_code"
		    "&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A3000"
		    "%%2Fcb&code_verifier=" VERIFIER, codes[i] ? codes[i] :
		    "none");
	}
	callgrind("-z", NULL, pid);
	c0 = proc_cpu(pid);
	wall = run(reqs, n, conc);
	summarize(o, "token", reqs, n, wall, proc_cpu(pid) - c0, 200);
	callgrind("-d", "token", pid);
	reqs_reset(reqs, n);
	for (i = 0; i < n; i++)
		reqs[i].path = "/.well-known/jwks.json";
	c0 = proc_cpu(pid);
	wall = run(reqs, n, conc);
	summarize(o, "jwks", reqs, n, wall, proc_cpu(pid) - c0, 200);
	reqs_reset(reqs, n);
	json_object_set_new(o, "server_peak_rss_kib",
	    json_integer(proc_kib(pid, "VmHWM:")));
	json_object_set_new(o, "server_rss_kib",
	    json_integer(proc_kib(pid, "VmRSS:")));
	printf("  server RSS %ld KiB, peak %ld KiB\n",
	    proc_kib(pid, "VmRSS:"), proc_kib(pid, "VmHWM:"));
	for (i = 0; i < n; i++) {
		free(ids[i]);
		free(relays[i]);
		free(codes[i]);
	}
	free(ids);
	free(relays);
	free(codes);
	free(reqs);
	return o;
}

static void
loadavg(char out[128])
{
	FILE	*fp;

	out[0] = '\0';
	if ((fp = fopen("/proc/loadavg", "r")) != NULL) {
		if (fgets(out, 128, fp) != NULL)
			out[strcspn(out, "\n")] = '\0';
		fclose(fp);
	}
}

static void
cmd_http(const char *fixtures, const char *kind, size_t n,
    const char *levels, long pid, const char *out)
{
	struct target		 t;
	struct s2o_keyset	*ks;
	struct s2o_err		 err;
	json_t			*o, *lv = json_object(), *v;
	const char		*p = levels, *k;
	char			*end, name[16], before[128], after[128];
	double			 acs_cpu, per, per_mint, per_sleep;

	s2o_err_clear(&err);
	target_init(&t, fixtures, kind);
	if ((ks = s2o_token_keyset_new(load_cfg, &err)) == NULL)
		die(err.detail);
	loadavg(before);
	printf("load average before: %s\n", before);
	for (;;) {
		long c = strtol(p, &end, 10);

		if (end == p || c < 1 || c > 1024 ||
		    (*end != ',' && *end != '\0'))
			die("-C: a comma-separated list of levels, 1 to 1024");
		snprintf(name, sizeof(name), "c%ld", c);
		json_object_set_new(lv, name, level(&t, (int)c, n, pid,
		    (unsigned int)getpid() * 131u + (unsigned int)c));
		if (*end == '\0')
			break;
		p = end + 1;
	}
	/* the same pipeline in this process, in the same run */
	per = in_process(&t, n < 2000 ? n : 2000, ks, &per_mint, &per_sleep);
	printf("in-process: ACS pipeline %.3f ms/response, with the ID token "
	    "%.3f ms; ACS pipeline with a 100 us sleep between responses "
	    "%.3f ms\n", per * 1e3, per_mint * 1e3, per_sleep * 1e3);
	json_object_foreach(lv, k, v) {
		json_t	*acs = json_object_get(v, "acs");
		double	 sys = json_real_value(json_object_get(acs,
		    "server_kernel_share"));

		acs_cpu = json_real_value(json_object_get(acs,
		    "server_cpu_ms_per_request")) / 1e3;
		json_object_set_new(acs, "server_cpu_over_in_process",
		    json_real(acs_cpu / per));
		json_object_set_new(acs, "server_user_cpu_over_in_process",
		    json_real(acs_cpu * (1.0 - sys) / per));
		json_object_set_new(acs, "server_cpu_over_in_process_with_sleep",
		    json_real(acs_cpu / per_sleep));
		printf("%s: server CPU per ACS request / in-process pipeline "
		    "%.2f (user time only: %.2f; against the pipeline with "
		    "sleeps: %.2f)\n", k, acs_cpu / per, acs_cpu * (1.0 - sys) /
		    per, acs_cpu / per_sleep);
	}
	loadavg(after);
	printf("load average after: %s\n", after);
	o = json_pack("{s:s, s:s, s:I, s:s, s:o, s:f, s:f, s:f}",
	    "loadavg_before", before, "loadavg_after", after,
	    "requests_per_level", (json_int_t)n, "idp_key", kind,
	    "levels", lv, "in_process_acs_ms", per * 1e3,
	    "in_process_with_mint_ms", per_mint * 1e3,
	    "in_process_acs_with_sleep_ms", per_sleep * 1e3);
	if (o == NULL)
		die("out of memory");
	if (out != NULL)
		save(out, "load", o);
	else
		json_decref(o);
	s2o_token_keyset_free(ks);
	target_cleanup(&t);
}

static void
usage(void)
{
	fprintf(stderr, "usage: load http -u URL -p SERVER_PID -c CONFIG "
	    "-f FIXTURES [-n N] [-C 1,8,64] [-k rsa|ec] [-o OUT.json]\n"
	    "       load memory -c CONFIG -f FIXTURES [-n N] "
	    "[-o OUT.json]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;
	const char		*mode, *config = NULL, *fixtures = NULL;
	const char		*levels = "1,8,64", *kind = "rsa", *out = NULL;
	long			 pid = 0, n = 0;
	int			 ch;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "u:p:c:f:n:C:k:o:")) != -1) {
		switch (ch) {
		case 'u': base_url = optarg; break;
		case 'p': pid = strtol(optarg, NULL, 10); break;
		case 'c': config = optarg; break;
		case 'f': fixtures = optarg; break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'C': levels = optarg; break;
		case 'k': kind = optarg; break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (config == NULL || fixtures == NULL ||
	    (strcmp(kind, "rsa") != 0 && strcmp(kind, "ec") != 0))
		usage();
	s2o_err_clear(&err);
	s2o_diags_init(&d);
	if (s2o_saml_init(&err) == -1 ||
	    (load_cfg = s2o_config_load(config, &d, &err)) == NULL)
		die(err.detail);
	s2o_diags_cleanup(&d);
	if (strcmp(mode, "http") == 0) {
		if (base_url == NULL || pid <= 0)
			usage();
		curl_global_init(CURL_GLOBAL_DEFAULT);
		cmd_http(fixtures, kind, n > 0 ? (size_t)n : 2000, levels,
		    pid, out);
		curl_global_cleanup();
	} else if (strcmp(mode, "memory") == 0)
		cmd_memory(fixtures, n > 0 ? (size_t)n : 200000, out);
	else
		usage();
	s2o_config_free(load_cfg);
	s2o_saml_shutdown();
	return 0;
}
