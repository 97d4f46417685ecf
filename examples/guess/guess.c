/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * guess: a number-guessing game that lasts across runs.
 *
 *   guess [--pool PATH] start NAME SECRET   start a game (SECRET in 1..100)
 *   guess [--pool PATH] guess N             too low, too high, already
 *                                           tried, or correct
 *   guess [--pool PATH] status              the guesses so far
 *
 * The pool is PATH, else $GUESS_POOL, else ./guess.pool. The game ends
 * after a correct guess or the 7th wrong one, and its pool is removed.
 *
 * What it shows: a user struct (the game) kept as a named root and
 * changed in TX(), with a PVEC of the guesses embedded in it; a guess
 * changes both in one transaction, so a crash never records a guess
 * without its effect on the game or the other way round.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcoll/pcoll.h>

#define PC_T    int32_t
#define PC_NAME gvec
#include <pcoll/vec.h>

#define LOWEST      1
#define HIGHEST     100
#define MAX_GUESSES 7

enum game_state {
	GAME_NONE = 0,    /* no game yet */
	GAME_PLAYING = 1, /* waiting for guesses */
	GAME_WON = 2,     /* over: the pool is about to be removed */
	GAME_LOST = 3     /* over: likewise */
};

/* The persistent game: plain data and an embedded vector header. */
typedef struct game {
	char player[32];
	int32_t secret;
	uint32_t state;
	gvec_pm guesses;
} game;
PC_DECLARE(game);

static int fail(const char *what, pc_err e)
{
	fprintf(stderr, "guess: %s: %s\n", what, pc_errmsg());
	return e == PC_OK ? 1 : (int)e;
}

/* Parses a whole decimal number in [LOWEST, HIGHEST]. */
static int parse_number(const char *s, int32_t *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0')
		return -1;
	if (v < LOWEST || v > HIGHEST)
		return -2;
	*out = (int32_t)v;
	return 0;
}

/* Closes the pool and deletes it: the game is over. */
static int finish(pc_pool *pool, const char *path)
{
	if (pc_pool_close(pool) != PC_OK)
		return fail("close", PC_E_INTX);
	if (remove(path) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

/* Opens the pool of a running game; prints why not and returns NULL. */
static pc_pool *open_game(const char *path, PC_PTR(game) *g, gvec *v)
{
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open(path, &pool);
	if (e == PC_E_NOTFOUND) {
		fprintf(stderr, "guess: no game is running: start one with "
				"`guess start NAME SECRET`\n");
		return NULL;
	}
	if (e != PC_OK) {
		(void)fail("open", e);
		return NULL;
	}
	e = PC_ROOT(pool, "game", game, PC_OPEN, g);
	if (e == PC_OK) {
		const game *r = PC_RO(pool, game, *g);
		if (r->state == GAME_WON || r->state == GAME_LOST) {
			/* Finished, but the pool was not removed (the
			 * process stopped in between): tidy up now. */
			fprintf(stderr, "guess: the last game is over; "
					"start a new one\n");
			(void)finish(pool, path);
			return NULL;
		}
		if (r->state != GAME_PLAYING) {
			fprintf(stderr, "guess: no game is running\n");
			(void)pc_pool_close(pool);
			return NULL;
		}
		/* The handle changes the vector only through gvec calls,
		 * which snapshot or persist what they write. */
		e = gvec_from(pool, (gvec_pm *)&r->guesses, v);
	}
	if (e != PC_OK) {
		(void)fail("reading the game", e);
		(void)pc_pool_close(pool);
		return NULL;
	}
	return pool;
}

static int cmd_start(const char *path, const char *name, const char *secret)
{
	int32_t s = 0;
	if (parse_number(secret, &s) != 0) {
		fprintf(stderr,
			"guess: the secret must be a number from %d to "
			"%d\n",
			LOWEST, HIGHEST);
		return 1;
	}
	if (!*name || strlen(name) >= sizeof(((game *)0)->player)) {
		fprintf(stderr, "guess: the name must have 1 to %zu bytes\n",
			sizeof(((game *)0)->player) - 1);
		return 1;
	}
	pc_pool *pool = NULL;
	pc_err e = pc_pool_open_or_create(path, PC_POOL_MIN_SIZE, &pool);
	if (e != PC_OK)
		return fail("open", e);
	PC_PTR(game) g;
	e = PC_ROOT(pool, "game", game, PC_OPEN_OR_CREATE, &g);
	if (e != PC_OK) {
		int rc = fail("game root", e);
		(void)pc_pool_close(pool);
		return rc;
	}
	const game *r = PC_RO(pool, game, g);
	if (r->state == GAME_PLAYING) {
		fprintf(stderr,
			"guess: %s's game is running: finish it first\n",
			r->player);
		(void)pc_pool_close(pool);
		return 1;
	}
	/* The player, the secret, the state and an empty list of guesses
	 * appear together or not at all. */
	TX(pool, &e) {
		game *w = PC_RW(pool, game, g);
		if (!w)
			break;
		memset(w->player, 0, sizeof(w->player));
		memcpy(w->player, name, strlen(name));
		w->secret = s;
		w->state = GAME_PLAYING;
		if (gvec_init_in(pool, &w->guesses) != PC_OK)
			break;
	}
	if (e != PC_OK) {
		int rc = fail("start", e);
		(void)pc_pool_close(pool);
		return rc;
	}
	printf("%s, your game has started: guess a number from %d to %d "
	       "(%d guesses).\n",
	       name, LOWEST, HIGHEST, MAX_GUESSES);
	return pc_pool_close(pool) == PC_OK ? 0 : 1;
}

static int cmd_guess(const char *path, const char *arg)
{
	int32_t n = 0;
	int pr = parse_number(arg, &n);
	if (pr != 0) {
		fprintf(stderr, "guess: \"%s\" is not a number from %d to %d\n",
			arg, LOWEST, HIGHEST);
		return 1;
	}
	PC_PTR(game) g;
	gvec v;
	pc_pool *pool = open_game(path, &g, &v);
	if (!pool)
		return 1;
	const game *r = PC_RO(pool, game, g);
	PVEC_FOREACH(gvec, &v, p) {
		if (*p == n) {
			printf("%d: already tried.\n", (int)n);
			return pc_pool_close(pool) == PC_OK ? 0 : 1;
		}
	}
	/* Record the guess and its effect on the game in one transaction. */
	uint32_t state = GAME_PLAYING;
	pc_err e;
	TX(pool, &e) {
		if (gvec_push(&v, n) != PC_OK)
			break;
		if (n == r->secret)
			state = GAME_WON;
		else if (gvec_len(&v) >= MAX_GUESSES)
			state = GAME_LOST;
		if (state != GAME_PLAYING) {
			game *w = PC_RW(pool, game, g);
			if (!w)
				break;
			w->state = state;
		}
	}
	if (e != PC_OK) {
		int rc = fail("guess", e);
		(void)pc_pool_close(pool);
		return rc;
	}
	size_t used = gvec_len(&v);
	if (state == GAME_WON) {
		printf("%d is correct! %s wins after %zu guess%s.\n", (int)n,
		       r->player, used, used == 1 ? "" : "es");
		return finish(pool, path);
	}
	printf("%d is too %s.", (int)n, n < r->secret ? "low" : "high");
	if (state == GAME_LOST) {
		printf(" No guesses left: the number was %d. Game over.\n",
		       (int)r->secret);
		return finish(pool, path);
	}
	printf(" %zu guess%s left.\n", MAX_GUESSES - used,
	       MAX_GUESSES - used == 1 ? "" : "es");
	return pc_pool_close(pool) == PC_OK ? 0 : 1;
}

static int cmd_status(const char *path)
{
	PC_PTR(game) g;
	gvec v;
	pc_pool *pool = open_game(path, &g, &v);
	if (!pool)
		return 1;
	const game *r = PC_RO(pool, game, g);
	printf("%s: %zu of %d guesses used:", r->player, gvec_len(&v),
	       MAX_GUESSES);
	if (gvec_is_empty(&v))
		printf(" none yet");
	PVEC_FOREACH(gvec, &v, p)
		printf(" %d (%s)", (int)*p, *p < r->secret ? "low" : "high");
	printf("\n");
	return pc_pool_close(pool) == PC_OK ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: guess [--pool PATH] start NAME SECRET\n"
		"       guess [--pool PATH] guess N\n"
		"       guess [--pool PATH] status\n"
		"The pool is PATH, else $GUESS_POOL, else ./guess.pool.\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = getenv("GUESS_POOL");
	if (!path || !*path)
		path = "guess.pool";
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "--pool") == 0) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i];
	int nargs = argc - i - 1;
	if (strcmp(cmd, "start") == 0 && nargs == 2)
		return cmd_start(path, argv[i + 1], argv[i + 2]);
	if (strcmp(cmd, "guess") == 0 && nargs == 1)
		return cmd_guess(path, argv[i + 1]);
	if (strcmp(cmd, "status") == 0 && nargs == 0)
		return cmd_status(path);
	return usage();
}
