/* SPDX-License-Identifier: MIT */
/*
 * The in-process half of bench/load: the pipeline /saml/acs runs, timed
 * in this process on documents signed like the posted ones, and the
 * memory run (200,000 distinct Responses by default; see load.c).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/inproc.h"

struct s2o_config	*load_cfg;

void
die(const char *what)
{
	fprintf(stderr, "load: %s\n", what);
	exit(1);
}

double
now(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* A "VmHWM:" style field of /proc/PID/status, in KiB. */
long
proc_kib(long pid, const char *field)
{
	char	path[64], line[256];
	FILE	*fp;
	long	v = -1;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field), NULL, 10);
	fclose(fp);
	return v;
}


/* "_"-prefixed random-enough hex, unique within the run */
void
fresh_id(char out[48], const char *kind, size_t i, unsigned int salt)
{
	snprintf(out, 48, "_%s-%08x-%zu", kind, salt, i);
}



void
target_init(struct target *t, const char *fixtures, const char *kind)
{
	struct s2o_diags	 d;
	struct s2o_err		 err;
	char			 key[4096], crt[4096];
	bool			 ec = strcmp(kind, "ec") == 0;

	s2o_err_clear(&err);
	t->conn_name = ec ? "corp-ec" : "corp";
	if ((t->conn = s2o_config_connection(load_cfg, t->conn_name)) == NULL)
		die("the configuration has no connection corp / corp-ec");
	t->issuer = t->conn->idp_entity_id;
	if ((t->trust = s2o_saml_trust_new(&load_cfg->sp, t->conn, &err)) == NULL)
		die(err.detail);
	s2o_diags_init(&d);
	if ((t->mapping = s2o_map_load(t->conn->mappings_file, &d, &err)) ==
	    NULL)
		die(err.detail);
	s2o_diags_cleanup(&d);
	snprintf(key, sizeof(key), "%s/keys/%s.key", fixtures,
	    ec ? "idp-ec" : "idp-rsa");
	snprintf(crt, sizeof(crt), "%s/keys/%s.crt", fixtures,
	    ec ? "idp-ec" : "idp-rsa");
	t->signer = bsign_new(key, crt);
}

void
target_cleanup(struct target *t)
{
	bsign_free(t->signer);
	s2o_map_free(t->mapping);
	s2o_saml_trust_free(t->trust);
}

static int
replay_mark(void *ctx, const char *id, time_t expires, struct s2o_err *err)
{
	return s2o_store_claim(ctx, "assertion", id, expires,
	    "this assertion ID", err);
}

/*
 * What /saml/acs does with a Response besides HTTP, forms and the pending
 * login: parse, verify, validate (InResponseTo, replay cache), map; and,
 * when ks is given, mint the ID token as /token would.
 */
void
pipeline(const struct target *t, struct s2o_store *st,
    const struct s2o_clock *clock, const char *doc, size_t len,
    const char *irt, const struct s2o_keyset *ks)
{
	struct s2o_saml_response	*r;
	struct s2o_saml_expect		 exp;
	struct s2o_saml_replay		 replay;
	struct s2o_assertion		*a = NULL;
	struct s2o_map_result		 m;
	struct s2o_token_id_req		 req;
	struct s2o_err			 err;

	s2o_err_clear(&err);
	s2o_map_result_init(&m);
	r = s2o_saml_response_parse(doc, len, load_cfg->max_response_bytes, &err);
	memset(&exp, 0, sizeof(exp));
	replay.mark = replay_mark;
	replay.ctx = st;
	exp.sp = &load_cfg->sp;
	exp.conn = t->conn;
	exp.trust = t->trust;
	exp.clock = clock;
	exp.clock_skew = load_cfg->clock_skew;
	exp.in_response_to = irt;
	exp.replay = &replay;
	if (r != NULL && (a = s2o_saml_response_consume(r, &exp, &err)) !=
	    NULL && s2o_map_apply(t->mapping, a, t->conn->name, 0, &m,
	    &err) == 0 && ks != NULL) {
		memset(&req, 0, sizeof(req));
		req.issuer = load_cfg->issuer;
		req.sub = m.sub;
		req.aud = CLIENT;
		req.clock = clock;
		req.ttl = load_cfg->id_token_ttl;
		req.nonce = "n";
		req.auth_time = a->authn_instant;
		req.authn_context = a->authn_context;
		req.sid = a->session_index;
		req.extra_claims = m.id_token;
		free(s2o_token_id_mint(ks, &req, &err));
	}
	s2o_map_result_cleanup(&m);
	s2o_assertion_free(a);
	s2o_saml_response_free(r);
	if (s2o_err_is_set(&err))
		die(err.detail);
}

/*
 * In-process CPU seconds per response of the ACS pipeline, on n documents
 * signed like the posted ones and base64-encoded as the SAMLResponse
 * field carries them; into *with_mint the same with the ID token's mint;
 * into *with_sleep the ACS pipeline again with a 100 µs sleep after each
 * response. The sleep itself is not CPU time; what it shows is what a
 * thread pays in CPU for going idle and being woken between two
 * responses (caches, TLB and branch predictors left to other work), as a
 * server waiting on its sockets does at every request.
 */
double
in_process(const struct target *t, size_t n, const struct s2o_keyset *ks,
    double *with_mint, double *with_sleep)
{
	struct s2o_clock	 clock;
	struct s2o_store	*st;
	struct s2o_err		 err;
	struct bsign_doc	 d;
	struct timespec		 pause = { 0, 100000 };
	char			**docs = calloc(n, sizeof(*docs));
	size_t			*lens = calloc(n, sizeof(*lens));
	char			 rid[48], aid[48], irt[48], *doc;
	unsigned int		 salt = (unsigned int)getpid();
	size_t			 len;
	double			 t0, per[3];

	s2o_err_clear(&err);
	s2o_clock_init_system(&clock);
	if (docs == NULL || lens == NULL)
		die("out of memory");
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < n; i++) {
			memset(&d, 0, sizeof(d));
			fresh_id(rid, "r", i, salt + (unsigned int)pass);
			fresh_id(aid, "a", i, salt + (unsigned int)pass);
			fresh_id(irt, "q", 0, salt);
			d.issuer = t->issuer;
			d.response_id = rid;
			d.assertion_id = aid;
			d.in_response_to = irt;
			d.now = time(NULL);
			doc = bsign_response(t->signer, &d, &len);
			/* the SAMLResponse value the ACS decodes: the pipeline
			 * starts at the base64 decoding, as the server's */
			if ((docs[i] = s2o_b64_encode(doc, len, &err)) == NULL)
				die(err.detail);
			lens[i] = strlen(docs[i]);
			free(doc);
		}
		if ((st = s2o_store_memory_new(&clock, &err)) == NULL)
			die(err.detail);
		t0 = now(CLOCK_THREAD_CPUTIME_ID);
		for (size_t i = 0; i < n; i++) {
			pipeline(t, st, &clock, docs[i], lens[i], irt,
			    pass == 1 ? ks : NULL);
			if (pass == 2)
				nanosleep(&pause, NULL);
		}
		per[pass] = (now(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)n;
		s2o_store_free(st);
		for (size_t i = 0; i < n; i++)
			free(docs[i]);
	}
	free(docs);
	free(lens);
	*with_mint = per[1];
	*with_sleep = per[2];
	return per[0];
}


/* Adds o under key to the JSON file at path (created when absent). */
void
save(const char *path, const char *key, json_t *o)
{
	json_t	*all = json_load_file(path, 0, NULL);
	FILE	*fp;
	char	*s;

	if (all == NULL || !json_is_object(all)) {
		json_decref(all);
		all = json_object();
	}
	json_object_set_new(all, key, o);
	if ((s = json_dumps(all, JSON_INDENT(2))) == NULL ||
	    (fp = fopen(path, "w")) == NULL)
		die(path);
	fprintf(fp, "%s\n", s);
	fclose(fp);
	free(s);
	json_decref(all);
}


/* ---- memory ----------------------------------------------------------- */

static long
rss_kib(void)
{
	return proc_kib(0, "VmRSS:");
}

void
cmd_memory(const char *fixtures, size_t n, const char *out)
{
	struct target		 t;
	struct s2o_keyset	*ks;
	struct s2o_store	*st;
	struct s2o_clock	 clock;
	struct s2o_err		 err;
	struct bsign_doc	 d;
	struct mallinfo2	 mi;
	json_t			*samples = json_array(), *o;
	char			 rid[48], aid[48], irt[48], *doc;
	size_t			 len, every = n / 20 ? n / 20 : 1;
	time_t			 t0 = time(NULL);
	long			 warm = 0, last = 0;
	unsigned int		 salt = (unsigned int)getpid();
	double			 w0 = now(CLOCK_MONOTONIC);

	s2o_err_clear(&err);
	target_init(&t, fixtures, "ec");
	if ((ks = s2o_token_keyset_new(load_cfg, &err)) == NULL)
		die(err.detail);
	s2o_clock_init_fixed(&clock, t0);
	if ((st = s2o_store_memory_new(&clock, &err)) == NULL)
		die(err.detail);
	printf("memory: %zu responses, RSS every %zu\n", n, every);
	for (size_t i = 1; i <= n; i++) {
		/* 100 responses per simulated second */
		clock.fixed = t0 + (time_t)(i / 100);
		memset(&d, 0, sizeof(d));
		fresh_id(rid, "r", i, salt);
		fresh_id(aid, "a", i, salt);
		fresh_id(irt, "q", i, salt);
		d.issuer = t.issuer;
		d.response_id = rid;
		d.assertion_id = aid;
		d.in_response_to = irt;
		d.now = clock.fixed;
		doc = bsign_response(t.signer, &d, &len);
		pipeline(&t, st, &clock, doc, len, irt, ks);
		free(doc);
		if (i % every == 0) {
			mi = mallinfo2();
			last = rss_kib();
			printf("  %8zu responses: RSS %ld KiB, heap in use %zu "
			    "KiB\n", i, last, mi.uordblks / 1024);
			json_array_append_new(samples, json_pack("{s:I, s:I, "
			    "s:I}", "responses", (json_int_t)i, "rss_kib",
			    (json_int_t)last, "heap_in_use_kib",
			    (json_int_t)(mi.uordblks / 1024)));
			/* warm-up: the replay cache fills for 420 simulated
			 * seconds (300 s validity + 120 s skew) */
			if (warm == 0 && i >= 50000)
				warm = last;
		}
	}
	printf("RSS after warm-up %ld KiB, at the end %ld KiB: growth %.1f %% "
	    "(%.0f s)\n", warm, last, warm ? 100.0 * (double)(last - warm) /
	    (double)warm : 0.0, now(CLOCK_MONOTONIC) - w0);
	o = json_pack("{s:I, s:I, s:I, s:f, s:o}", "responses", (json_int_t)n,
	    "rss_after_warmup_kib", (json_int_t)warm, "rss_end_kib",
	    (json_int_t)last, "rss_growth_percent", warm ? 100.0 *
	    (double)(last - warm) / (double)warm : 0.0, "samples", samples);
	if (out != NULL)
		save(out, "memory", o);
	else
		json_decref(o);
	s2o_store_free(st);
	s2o_token_keyset_free(ks);
	target_cleanup(&t);
}

