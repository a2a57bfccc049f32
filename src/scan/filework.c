/*
 * The content work of the walk in a second thread: file digests (SHA-256
 * or SHA-512, MD5 for --verify-md5sums), the ELF parse and the binary
 * signature pass.  The walker (scan.c) reads; this does the rest on the
 * other CPU.
 *
 *   walker thread                        worker thread
 *   -------------                        -------------
 *   tl__filework_get: a free slot  --->
 *   reads a file (or 1 MiB of one
 *   only hashed) into slot->data,
 *   or its head and a descriptor of
 *   the rest (a directory's file)
 *   tl__filework_submit             --->  reads the rest (read_rest);
 *                                         digests; on the last chunk the
 *                                         ELF parse and signatures, or a
 *                                         changelog's gunzip and CVE ids
 *   tl__filework_done: oldest slot  <---  done
 *   applies it to the tree,
 *   tl__filework_release
 *
 * Slots are a ring used in order: jobs are handed back in the order they
 * were submitted, so the tree, the signature hits (each job's own, put
 * in the scan's list by the walker as it applies the job) and the
 * warnings come out as a serial walk makes them.  The ring holds at most
 * SLOTS jobs and, once more than BUDGET bytes wait, no new one
 * (tl__filework_room), which bounds the memory the pipeline adds.
 *
 * In a directory walk (tl__filework_set_help) both threads do the work.
 * The worker takes jobs in order; the walker, when it has to wait (the
 * ring or the budget is full, or it needs every job done), takes the next
 * job no one has started instead of sleeping,
 * if that job is a whole file (a file's pieces carry one digest from
 * piece to piece, so they are the worker's, one after the other).  Each
 * thread has its own digest contexts, read buffer and signature scratch.
 * With one CPU, or when the thread cannot be started, submit does the
 * work at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "scan/scan_int.h"

#define SLOTS 128                 /* many small files wait while the worker does a large one */
#define BUDGET ((size_t)24 << 20) /* bytes submitted and not yet released */
#define RETAIN ((size_t)16 << 20) /* buffer bytes released slots keep for their next use */
#define BATCH 6                   /* jobs waiting before a sleeping worker is woken */
#define BATCH_BYTES ((size_t)1 << 20)

/* What one thread needs to do a job. */
typedef struct {
	EVP_MD_CTX *h, *m5;
	tl__binsig *bs;       /* a clone of the scan's: the hits go to the job */
	uint8_t *rbuf;        /* files it reads (read_rest) */
	size_t rcap;
} executor;

struct tl__filework {
	tl__fjob slot[SLOTS];
	bool fin[SLOTS];      /* the slot's job is done */
	size_t n_get, n_sub, n_start, n_rel; /* n_rel <= n_start <= n_sub <= n_get <= n_rel + SLOTS */
	size_t held;          /* bytes of submitted, unreleased jobs */
	size_t queued;        /* bytes of submitted jobs not done yet */
	bool threaded, stop;
	bool help;            /* the walker does jobs while it waits */
	bool worker_idle;     /* waiting on work */
	bool walker_waiting;  /* waiting on done */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* to the worker: a job or stop */
	pthread_cond_t done; /* to the walker: a job done */
	const EVP_MD *alg;    /* NULL: no digest */
	EVP_MD *fetched_alg, *fetched_md5;
	bool md5;
	size_t max_file;
	executor ex[2];       /* 0: the worker's (and submit's without one), 1: the walker's */
};

static void job_error(tl__fjob *j, tl_err err)
{
	if (!j->err) {
		j->err = err;
		j->errmsg = tl_strdup(tl_error_last());
	}
}

static bool update(tl__filework *w, executor *x, tl__fjob *j, const uint8_t *p, size_t n)
{
	if (w->alg && n && EVP_DigestUpdate(x->h, p, n) != 1) {
		job_error(j, tl__error(TL_EIO, "digest update failed"));
		return false;
	}
	if (w->md5 && n && EVP_DigestUpdate(x->m5, p, n) != 1) {
		job_error(j, tl__error(TL_ENOMEM, "MD5 failed"));
		return false;
	}
	return true;
}

#define CHUNK ((size_t)1 << 20)

static bool grow(executor *x, size_t cap)
{
	uint8_t *p = realloc(x->rbuf, cap);

	if (!p)
		return false;
	x->rbuf = p;
	x->rcap = cap;
	return true;
}

/*
 * The rest of a file from j->fd, as the walker reads (scan.c): a file to
 * parse or keep is held whole until it passes max_file (then it is only
 * hashed, with the walker's warning); any other is hashed 1 MiB at a time.
 * The head in data is already hashed.  Read into the worker's own buffer,
 * reused from file to file like the walker's (fresh memory costs a page
 * fault per 4 KiB); a file to keep is copied out of it at the end.
 */
static void read_rest(tl__filework *w, executor *x, tl__fjob *j)
{
	bool whole = j->parse || j->keep;
	size_t len = 0, cur = j->len;

	if (whole) {
		if (x->rcap < j->len + 1 && !grow(x, j->len + 1)) {
			job_error(j, tl__nomem());
			goto done;
		}
		memcpy(x->rbuf, j->data, j->len);
		len = j->len;
	}
	for (;;) {
		size_t ask;
		ssize_t n;
		bool end;
		if (!whole)
			len = 0;
		ask = j->expect > j->got && j->expect - j->got < CHUNK ? (size_t)(j->expect - j->got) + 1 : CHUNK;
		if (x->rcap - len < ask + 1) {
			size_t cap = len + ask + 1;
			if (whole && j->expect - j->got < w->max_file && cap < len + (j->expect - j->got) + 2)
				cap = len + (size_t)(j->expect - j->got) + 2; /* held whole: at once */
			if (j->got >= j->expect && cap < x->rcap * 2)
				cap = x->rcap * 2; /* larger than it said */
			if (!grow(x, cap)) {
				job_error(j, tl__nomem());
				break;
			}
		}
		do
			n = read(j->fd, x->rbuf + len, ask);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			job_error(j, tl__error(TL_EIO, "%s: %s", j->label, strerror(errno)));
			break;
		}
		if (n == 0)
			break;
		j->got += (uint64_t)n;
		/* short, and as large as it said: the end, without a read of 0
		 * (source_dir.c) */
		end = (size_t)n < ask && j->got == j->expect;
		if (!update(w, x, j, x->rbuf + len, (size_t)n))
			break;
		if (!whole) {
			if (end)
				break;
			continue;
		}
		len += (size_t)n;
		cur += (size_t)n;
		if (cur > w->max_file) {
			tl_buf b = TL_BUF_INIT;
			if (tl_buf_printf(&b, "/%s: larger than --max-file (%zu bytes): hashed, not parsed", j->path,
			                  w->max_file) != TL_OK) {
				tl_buf_dispose(&b);
				job_error(j, tl__nomem());
				break;
			}
			j->warn = tl_buf_detach(&b);
			whole = j->parse = j->keep = false;
		}
		if (end)
			break;
	}
done:
	close(j->fd);
	j->fd = -1;
	if (!whole || j->err) {
		j->len = 0;
		return;
	}
	x->rbuf[len] = '\0';
	j->whole = x->rbuf;
	j->whole_len = len;
}

/* What a serial walk did with one chunk (scan.c before the pipeline). */
static void work(tl__filework *w, executor *x, tl__fjob *j)
{
	if (j->first) {
		if (w->alg && EVP_DigestInit_ex2(x->h, w->alg, NULL) != 1) {
			job_error(j, tl__error(TL_ENOMEM, "cannot initialise digest"));
			return;
		}
		if (w->md5 && EVP_DigestInit_ex2(x->m5, w->fetched_md5, NULL) != 1) {
			job_error(j, tl__error(TL_ENOMEM, "MD5 is not available from OpenSSL"));
			return;
		}
	}
	if (!update(w, x, j, j->data, j->len))
		return;
	if (j->fd >= 0) {
		read_rest(w, x, j);
		if (j->err)
			return;
	}
	if (!j->last)
		return;
	if (w->alg) {
		unsigned n = 0;
		if (EVP_DigestFinal_ex(x->h, j->digest, &n) != 1) {
			job_error(j, tl__error(TL_EIO, "digest final failed"));
			return;
		}
		j->digest_len = (uint8_t)n;
	}
	if (w->md5) {
		unsigned n = 0;
		if (EVP_DigestFinal_ex(x->m5, j->md5, &n) != 1 || n != 16) {
			job_error(j, tl__error(TL_ENOMEM, "MD5 failed"));
			return;
		}
		j->has_md5 = true;
	}
	if (j->whole && j->keep) {
		/* the worker's buffer stays: the content goes in one of its size */
		uint8_t *p = malloc(j->whole_len + 1);
		if (!p) {
			job_error(j, tl__nomem());
			return;
		}
		memcpy(p, j->whole, j->whole_len + 1);
		free(j->data);
		j->data = p;
		j->cap = j->whole_len + 1;
		j->len = j->whole_len;
	}
	if (j->changelog && j->keep)
		tl__changelog_pre_make(&j->cl, j->data, j->len);
	if (j->parse) {
		tl__node nd = { 0 };
		struct timespec t0, t1;
		const uint8_t *data = j->whole ? j->whole : j->data;
		size_t len = j->whole ? j->whole_len : j->len;
		tl_err perr = tl__elf_parse(&j->elf, data, len, j->path);
		tl_err err;
		if (perr == TL_ENOMEM) {
			job_error(j, perr);
			return;
		}
		if (perr) {
			tl_buf b = TL_BUF_INIT;
			if ((err = tl_buf_printf(&b, "/%s: not a valid ELF file: %s", j->path, tl_error_last())) != TL_OK) {
				tl_buf_dispose(&b);
				job_error(j, err);
				return;
			}
			j->elf_warn = tl_buf_detach(&b);
		}
		/* CPU time, not wall time: the figure should not depend on
		 * what else the machine runs */
		nd.path = j->path;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		err = tl__binsig_scan(x->bs, &nd, data, len);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		tl__binsig_take(x->bs, &j->hits, &j->n_hits);
		j->binsig_cpu = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		j->binsig_bytes = len;
		if (err)
			job_error(j, err);
	}
}

/* Marks job i done (the mutex held). */
static void finish(tl__filework *w, size_t i)
{
	w->queued -= w->slot[i % SLOTS].held;
	w->fin[i % SLOTS] = true;
	if (w->walker_waiting)
		pthread_cond_signal(&w->done);
}

static void *worker(void *arg)
{
	tl__filework *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		size_t i;
		while (w->n_start == w->n_sub && !w->stop) {
			w->worker_idle = true;
			pthread_cond_wait(&w->work, &w->mu);
		}
		w->worker_idle = false;
		if (w->stop)
			break; /* freed: what is still queued is dropped, not done */
		i = w->n_start++;
		pthread_mutex_unlock(&w->mu);
		work(w, &w->ex[0], &w->slot[i % SLOTS]);
		pthread_mutex_lock(&w->mu);
		finish(w, i);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static const char *md_name(tl_hash_alg alg)
{
	return alg == TL_HASH_SHA512 ? "SHA512" : "SHA256";
}

static void executor_dispose(executor *x)
{
	EVP_MD_CTX_free(x->h);
	EVP_MD_CTX_free(x->m5);
	tl__binsig_free(x->bs);
	free(x->rbuf);
	memset(x, 0, sizeof(*x));
}

bool tl__filework_threaded(const tl__filework *w)
{
	return w->threaded;
}

void tl__filework_set_help(tl__filework *w, bool help)
{
	w->help = help;
}

size_t tl__filework_queued(tl__filework *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->queued;
	pthread_mutex_unlock(&w->mu);
	return n;
}

tl_err tl__filework_new(tl__filework **out, bool hashing, tl_hash_alg alg, bool md5, tl__binsig *bs, size_t max_file)
{
	tl__filework *w = calloc(1, sizeof(*w));
	tl_err err = TL_OK;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*out = NULL;
	if (!w)
		return tl__nomem();
	w->md5 = md5;
	w->max_file = max_file;
	for (size_t i = 0; i < 2; i++) {
		executor *x = &w->ex[i];
		if (!(x->h = EVP_MD_CTX_new()) || !(x->m5 = EVP_MD_CTX_new())) {
			err = tl__nomem();
			goto done;
		}
		if ((err = tl__binsig_clone(&x->bs, bs)) != TL_OK)
			goto done;
	}
	if (hashing && !(w->alg = w->fetched_alg = EVP_MD_fetch(NULL, md_name(alg), NULL))) {
		err = tl__error(TL_ENOMEM, "cannot initialise digest");
		goto done;
	}
	if (md5 && !(w->fetched_md5 = EVP_MD_fetch(NULL, "MD5", NULL))) {
		err = tl__error(TL_ENOMEM, "MD5 is not available from OpenSSL");
		goto done;
	}
	if (pthread_mutex_init(&w->mu, NULL) != 0 || pthread_cond_init(&w->work, NULL) != 0 ||
	    pthread_cond_init(&w->done, NULL) != 0) {
		err = tl__error(TL_ENOMEM, "cannot create a mutex");
		goto done;
	}
	/* one CPU: the work is done in the walker's thread, in submit */
	w->threaded = cpus > 1 && pthread_create(&w->thread, NULL, worker, w) == 0;
	*out = w;
	w = NULL;
done:
	if (w) {
		for (size_t i = 0; i < 2; i++)
			executor_dispose(&w->ex[i]);
		EVP_MD_free(w->fetched_alg);
		EVP_MD_free(w->fetched_md5);
		free(w);
	}
	return err;
}

bool tl__filework_room(tl__filework *w)
{
	bool room;

	pthread_mutex_lock(&w->mu);
	room = w->n_get - w->n_rel < SLOTS && (w->held <= BUDGET || w->n_get == w->n_rel);
	pthread_mutex_unlock(&w->mu);
	return room;
}

tl__fjob *tl__filework_get(tl__filework *w)
{
	tl__fjob *j = &w->slot[w->n_get % SLOTS];
	uint8_t *data = j->data;
	size_t cap = j->cap;

	/* the slot is free (n_get - n_rel < SLOTS, checked by the caller) */
	memset(j, 0, sizeof(*j));
	j->data = data;
	j->cap = cap;
	j->fd = -1;
	w->fin[w->n_get % SLOTS] = false;
	w->n_get++;
	return j;
}

void tl__filework_submit(tl__filework *w, tl__fjob *j)
{
	j->held = j->len + j->expect;
	if (!w->threaded) {
		work(w, &w->ex[0], j);
		w->fin[w->n_sub % SLOTS] = true;
		w->n_sub++;
		w->n_start++;
		w->held += j->held;
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->n_sub++;
	w->held += j->held;
	w->queued += j->held;
	/* a few at a time: a wake-up per small file costs more than its digest */
	if (w->worker_idle && (w->n_sub - w->n_start >= BATCH || w->held >= BATCH_BYTES))
		pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

tl__fjob *tl__filework_done(tl__filework *w, bool wait)
{
	tl__fjob *j = NULL;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		tl__fjob *next;
		if (w->n_rel < w->n_sub && w->fin[w->n_rel % SLOTS]) {
			j = &w->slot[w->n_rel % SLOTS];
			break;
		}
		if (!wait || w->n_rel == w->n_sub)
			break;
		next = &w->slot[w->n_start % SLOTS];
		if (w->help && w->n_start < w->n_sub && next->first && next->last) {
			/* a whole file no one has started: done here, not waited for */
			size_t i = w->n_start++;
			pthread_mutex_unlock(&w->mu);
			work(w, &w->ex[1], next);
			pthread_mutex_lock(&w->mu);
			finish(w, i);
			continue;
		}
		if (w->worker_idle)
			pthread_cond_signal(&w->work);
		w->walker_waiting = true;
		pthread_cond_wait(&w->done, &w->mu);
		w->walker_waiting = false;
	}
	pthread_mutex_unlock(&w->mu);
	return j;
}

static void job_dispose(tl__fjob *j)
{
	free(j->path);
	free(j->warn);
	free(j->elf_warn);
	free(j->errmsg);
	free(j->label);
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	tl__elf_info_free(j->elf);
	tl__changelog_pre_free(j->cl);
	j->cl = NULL;
	for (size_t i = 0; i < j->n_hits; i++)
		tl__binsig_hit_dispose(&j->hits[i]);
	free(j->hits);
	j->hits = NULL;
	j->n_hits = 0;
	j->path = j->warn = j->elf_warn = j->errmsg = j->label = NULL;
	j->elf = NULL;
	j->len = 0;
}

void tl__filework_release(tl__filework *w, tl__fjob *j)
{
	size_t len = j->held;

	job_dispose(j);
	{
		/* buffers are kept for the next file, up to RETAIN bytes in all
		 * (a fresh one costs a page fault per 4 KiB it is written); the
		 * slots in flight are the worker's, not counted */
		size_t all = j->cap;
		for (size_t i = w->n_get; i < w->n_rel + SLOTS; i++)
			all += w->slot[i % SLOTS].cap;
		if (all > RETAIN) {
			free(j->data);
			j->data = NULL;
			j->cap = 0;
		}
	}
	if (w->n_get > w->n_sub && j == &w->slot[(w->n_get - 1) % SLOTS]) {
		w->n_get--; /* taken and not submitted: back to free */
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->held -= len;
	w->n_rel++;
	pthread_mutex_unlock(&w->mu);
}

void tl__filework_free(tl__filework *w)
{
	if (!w)
		return;
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	for (size_t i = 0; i < SLOTS; i++) {
		job_dispose(&w->slot[i]);
		free(w->slot[i].data);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	for (size_t i = 0; i < 2; i++)
		executor_dispose(&w->ex[i]);
	EVP_MD_free(w->fetched_alg);
	EVP_MD_free(w->fetched_md5);
	free(w);
}
