/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash scenarios on the core: typed pointers (PC_NEW / PC_NEW_INIT /
 * PC_FREE outside and inside TX(), PC_ROOT, root directory growth), a
 * user TX() changing several objects (a small bank), and a hand-written
 * "push" on a raw struct, correct and deliberately broken.
 */
#define _GNU_SOURCE
#include <string.h>

#include "scenario.h"

/* ================================================================== */
/* ptr: typed pointers                                                  */
/* ================================================================== */

#define NSLOT  6
#define NODE_K 0xC0FFEE0DDF00Dull

typedef struct cr_node {
	uint64_t id, val, chk;
} cr_node;
PC_DECLARE(cr_node);

typedef struct cr_blob {
	uint64_t id;
	unsigned char bytes[2040];
} cr_blob;
PC_DECLARE(cr_blob);

typedef struct cr_holder {
	uint64_t gen;
	PC_PTR(cr_node) slot[NSLOT];
	PC_PTR(cr_blob) blob;
} cr_holder;
PC_DECLARE(cr_holder);

enum {
	P_ROOT,
	P_NEW,
	P_NEWINIT,
	P_FREE,
	P_BLOB,
	P_BLOBFREE,
	P_TXNEW,
	P_TXFREE,
	P_TXSWAP,
	P_TXABORT,
	P_TXESCAPE,
	P_ADDROOT,
	P_TXREPLACE,
	P_TXBLOB
};

static const char *const ptr_kind[] = {
	"root",      "new",      "new-init",   "free",    "blob",
	"blob-free", "tx-new",   "tx-free",    "tx-swap", "tx-abort",
	"tx-escape", "add-root", "tx-replace", "tx-blob",
};

static const struct {
	int code, a, b;
} ptr_ops[] = {
	{P_ROOT, 0, 0},    {P_NEW, 0, 0},       {P_NEWINIT, 1, 0},
	{P_NEWINIT, 2, 0}, {P_ADDROOT, 0, 0},   {P_BLOB, 0, 0},
	{P_FREE, 0, 0},    {P_TXNEW, 0, 0},     {P_TXSWAP, 1, 2},
	{P_TXFREE, 1, 0},  {P_TXABORT, 2, 3},   {P_TXESCAPE, 0, 0},
	{P_ADDROOT, 0, 0}, {P_ADDROOT, 0, 0},   {P_ADDROOT, 0, 0},
	{P_ADDROOT, 0, 0}, {P_ADDROOT, 0, 0},   {P_ADDROOT, 0, 0},
	{P_ADDROOT, 0, 0}, {P_ADDROOT, 0, 0},   {P_BLOBFREE, 0, 0},
	{P_NEW, 3, 0},     {P_NEWINIT, 4, 0},   {P_TXREPLACE, 4, 0},
	{P_NEWINIT, 5, 0}, {P_TXSWAP, 3, 5},    {P_FREE, 2, 0},
	{P_TXNEW, 1, 0},   {P_TXFREE, 0, 0},    {P_TXBLOB, 0, 0},
	{P_FREE, 5, 0},    {P_TXREPLACE, 1, 0}, {P_TXBLOB, 0, 0},
	{P_TXABORT, 3, 2}, {P_NEWINIT, 2, 0},   {P_TXSWAP, 2, 4},
};
#define PTR_NOPS ((int)(sizeof(ptr_ops) / sizeof(ptr_ops[0])))

struct pmodel {
	int holder;
	uint64_t gen;
	int present[NSLOT];
	cr_node node[NSLOT];
	int blob;
	uint64_t blob_id;
	int nextra;
};

static cr_node mk_node(uint64_t id, uint64_t val)
{
	cr_node n = {id, val, id ^ val ^ NODE_K};
	return n;
}

static void blob_fill(cr_blob *b, uint64_t id)
{
	b->id = id;
	for (size_t j = 0; j < sizeof(b->bytes); j++)
		b->bytes[j] = (unsigned char)(id * 13 + j * 7);
}

static void pmodel_apply(struct pmodel *m, int i)
{
	int a = ptr_ops[i].a, b = ptr_ops[i].b;
	switch (ptr_ops[i].code) {
	case P_ROOT:
		m->holder = 1;
		break;
	case P_NEW:
		m->present[a] = 1;
		memset(&m->node[a], 0, sizeof(m->node[a]));
		break;
	case P_NEWINIT:
		m->present[a] = 1;
		m->node[a] = mk_node((uint64_t)i, cr_val(1, (uint64_t)i));
		break;
	case P_FREE:
		m->present[a] = 0;
		break;
	case P_BLOB:
	case P_TXBLOB:
		m->blob = 1;
		m->blob_id = (uint64_t)i;
		if (ptr_ops[i].code == P_TXBLOB)
			m->gen++;
		break;
	case P_BLOBFREE:
		m->blob = 0;
		break;
	case P_TXNEW:
	case P_TXREPLACE:
		m->present[a] = 1;
		m->node[a] = mk_node((uint64_t)i, cr_val(2, (uint64_t)i));
		m->gen++;
		break;
	case P_TXFREE:
		m->present[a] = 0;
		m->gen++;
		break;
	case P_TXSWAP: {
		uint64_t va = m->node[a].val, vb = m->node[b].val;
		m->node[a] = mk_node(m->node[a].id, vb);
		m->node[b] = mk_node(m->node[b].id, va);
		m->gen++;
		break;
	}
	case P_ADDROOT:
		m->nextra++;
		break;
	default: /* P_TXABORT, P_TXESCAPE: no change */
		break;
	}
}

static pc_err holder_get(pc_pool *pool, PC_PTR(cr_holder) *hp, cr_holder **h)
{
	PC_TRY(PC_ROOT(pool, "holder", cr_holder, PC_OPEN, hp));
	*h = (cr_holder *)PC_RO(pool, cr_holder, *hp);
	return PC_OK;
}

static pc_err expect(pc_err got, pc_err want, const char *what)
{
	if (got == want)
		return PC_OK;
	return pc__fail(PC_E_INVAL, "%s: got %s, expected %s", what,
			pc_strerror(got), pc_strerror(want));
}

static pc_err ptr_op(pc_pool *pool, int i)
{
	int a = ptr_ops[i].a, b = ptr_ops[i].b;
	PC_PTR(cr_holder) hp;
	cr_holder *h = NULL;
	pc_err err = PC_OK;
	cr_op_kind(ptr_kind[ptr_ops[i].code]);
	if (ptr_ops[i].code == P_ROOT)
		return PC_ROOT(pool, "holder", cr_holder, PC_CREATE, &hp);
	PC_TRY(holder_get(pool, &hp, &h));
	switch (ptr_ops[i].code) {
	case P_NEW:
		return PC_NEW(pool, cr_node, &h->slot[a]);
	case P_NEWINIT: {
		cr_node n = mk_node((uint64_t)i, cr_val(1, (uint64_t)i));
		return PC_NEW_INIT(pool, cr_node, &h->slot[a], &n);
	}
	case P_FREE:
		return PC_FREE(pool, cr_node, &h->slot[a]);
	case P_BLOB: {
		static cr_blob bl;
		blob_fill(&bl, (uint64_t)i);
		return PC_NEW_INIT(pool, cr_blob, &h->blob, &bl);
	}
	case P_BLOBFREE:
		return PC_FREE(pool, cr_blob, &h->blob);
	case P_TXBLOB:
		TX(pool, &err) {
			cr_holder *hw = PC_RW(pool, cr_holder, hp);
			if (!hw)
				break;
			if (PC_FREE(pool, cr_blob, &hw->blob) != PC_OK)
				break;
			if (PC_NEW(pool, cr_blob, &hw->blob) != PC_OK)
				break;
			cr_blob *bw = PC_RW(pool, cr_blob, hw->blob);
			if (!bw)
				break;
			blob_fill(bw, (uint64_t)i);
			hw->gen++;
		}
		return err;
	case P_TXNEW:
	case P_TXREPLACE:
		TX(pool, &err) {
			cr_holder *hw = PC_RW(pool, cr_holder, hp);
			if (!hw)
				break;
			if (PC_FREE(pool, cr_node, &hw->slot[a]) != PC_OK)
				break;
			if (PC_NEW(pool, cr_node, &hw->slot[a]) != PC_OK)
				break;
			cr_node *n = PC_RW(pool, cr_node, hw->slot[a]);
			if (!n)
				break;
			*n = mk_node((uint64_t)i, cr_val(2, (uint64_t)i));
			hw->gen++;
		}
		return err;
	case P_TXFREE:
		TX(pool, &err) {
			cr_holder *hw = PC_RW(pool, cr_holder, hp);
			if (!hw)
				break;
			if (PC_FREE(pool, cr_node, &hw->slot[a]) != PC_OK)
				break;
			hw->gen++;
		}
		return err;
	case P_TXSWAP:
		TX(pool, &err) {
			cr_node *na = PC_RW(pool, cr_node, h->slot[a]);
			cr_node *nb = PC_RW(pool, cr_node, h->slot[b]);
			cr_holder *hw = PC_RW(pool, cr_holder, hp);
			if (!na || !nb || !hw)
				break;
			uint64_t va = na->val;
			*na = mk_node(na->id, nb->val);
			*nb = mk_node(nb->id, va);
			hw->gen++;
		}
		return err;
	case P_TXABORT:
		/* Change a node, allocate into an empty slot, then abort. */
		TX(pool, &err) {
			cr_node *n = PC_RW(pool, cr_node, h->slot[a]);
			if (!n)
				break;
			n->val = 999;
			if (PC_NEW(pool, cr_node, &h->slot[b]) != PC_OK)
				break;
			(void)pc_tx_abort(PC_E_ABORTED);
			break;
		}
		return expect(err, PC_E_ABORTED, "P_TXABORT");
	case P_TXESCAPE:
		TX(pool, &err) {
			cr_node *n = PC_RW(pool, cr_node, h->slot[a]);
			if (!n)
				break;
			n->val = 12345;
			n->chk = 0;
			break;
		}
		return expect(err, PC_E_ESCAPED, "P_TXESCAPE");
	case P_ADDROOT: {
		char name[32];
		int idx = 0;
		for (int j = 0; j < i; j++)
			idx += ptr_ops[j].code == P_ADDROOT;
		(void)snprintf(name, sizeof(name), "extra%d", idx);
		TX(pool, &err) {
			PC_PTR(uint64_t) x;
			if (PC_ROOT(pool, name, uint64_t, PC_CREATE, &x) !=
			    PC_OK)
				break;
			uint64_t *xw = PC_RW(pool, uint64_t, x);
			if (!xw)
				break;
			*xw = 1000u + (uint64_t)idx;
		}
		return err;
	}
	default:
		return pc__fail(PC_E_INVAL, "ptr: bad op %d", i);
	}
}

static int ptr_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct pmodel m;
	memset(&m, 0, sizeof(m));
	if (k > PTR_NOPS)
		return cr_why(why, n, "no state %d", k);
	for (int i = 0; i < k; i++)
		pmodel_apply(&m, i);
	size_t nroots = pc_root_count(pool);
	if (nroots != (size_t)(m.holder + m.nextra))
		return cr_why(why, n, "%zu roots, expected %d", nroots,
			      m.holder + m.nextra);
	pc_typesig sn = PC_SIG_OBJ(cr_node), sb = PC_SIG_OBJ(cr_blob),
		   sx = PC_SIG_OBJ(uint64_t), sh = PC_SIG_OBJ(cr_holder);
	size_t nn = cr_count_objs(pool, &sn), nb = cr_count_objs(pool, &sb),
	       nx = cr_count_objs(pool, &sx), nh = cr_count_objs(pool, &sh);
	int want_nodes = 0;
	for (int s = 0; s < NSLOT; s++)
		want_nodes += m.present[s];
	if (nn != (size_t)want_nodes || nb != (size_t)m.blob ||
	    nx != (size_t)m.nextra || nh != (size_t)m.holder)
		return cr_why(why, n,
			      "heap holds %zu nodes, %zu blobs, %zu extras, "
			      "%zu holders; expected %d, %d, %d, %d",
			      nn, nb, nx, nh, want_nodes, m.blob, m.nextra,
			      m.holder);
	for (int e = 0; e < m.nextra; e++) {
		char name[32];
		PC_PTR(uint64_t) x;
		(void)snprintf(name, sizeof(name), "extra%d", e);
		if (PC_ROOT(pool, name, uint64_t, PC_OPEN, &x) != PC_OK)
			return cr_why(why, n, "root %s: %s", name, pc_errmsg());
		if (*PC_RO(pool, uint64_t, x) != 1000u + (uint64_t)e)
			return cr_why(
				why, n, "root %s holds %llu", name,
				(unsigned long long)*PC_RO(pool, uint64_t, x));
	}
	PC_PTR(cr_holder) hp;
	pc_err e = PC_ROOT(pool, "holder", cr_holder, PC_OPEN, &hp);
	if (!m.holder)
		return e == PC_E_NOTFOUND ? 0
					  : cr_why(why, n, "holder root: %s",
						   pc_strerror(e));
	if (e != PC_OK)
		return cr_why(why, n, "holder root: %s", pc_errmsg());
	const cr_holder *h = PC_RO(pool, cr_holder, hp);
	if (h->gen != m.gen)
		return cr_why(why, n, "gen %llu, expected %llu",
			      (unsigned long long)h->gen,
			      (unsigned long long)m.gen);
	for (int s = 0; s < NSLOT; s++) {
		if (PC_PTR_IS_NULL(h->slot[s]) != !m.present[s])
			return cr_why(why, n, "slot %d is %s, expected %s", s,
				      PC_PTR_IS_NULL(h->slot[s]) ? "null"
								 : "set",
				      m.present[s] ? "set" : "null");
		if (!m.present[s])
			continue;
		if (PC_PTR_CHECK(pool, cr_node, h->slot[s]) != PC_OK)
			return cr_why(why, n, "slot %d: %s", s, pc_errmsg());
		const cr_node *nd = PC_RO(pool, cr_node, h->slot[s]);
		if (memcmp(nd, &m.node[s], sizeof(*nd)) != 0)
			return cr_why(why, n,
				      "slot %d holds {%llu,%llu,%llx}, "
				      "expected {%llu,%llu,%llx}",
				      s, (unsigned long long)nd->id,
				      (unsigned long long)nd->val,
				      (unsigned long long)nd->chk,
				      (unsigned long long)m.node[s].id,
				      (unsigned long long)m.node[s].val,
				      (unsigned long long)m.node[s].chk);
	}
	if (PC_PTR_IS_NULL(h->blob) != !m.blob)
		return cr_why(why, n, "blob is %s, expected %s",
			      PC_PTR_IS_NULL(h->blob) ? "null" : "set",
			      m.blob ? "set" : "null");
	if (m.blob) {
		static cr_blob want;
		blob_fill(&want, m.blob_id);
		if (PC_PTR_CHECK(pool, cr_blob, h->blob) != PC_OK)
			return cr_why(why, n, "blob: %s", pc_errmsg());
		if (memcmp(PC_RO(pool, cr_blob, h->blob), &want,
			   sizeof(want)) != 0)
			return cr_why(why, n,
				      "blob content differs from "
				      "blob %llu",
				      (unsigned long long)m.blob_id);
	}
	return 0;
}

/* Heap oracle: what the holder points to. */
static void ptr_refs(pc_pool *pool, const char *root, uint64_t off, cr_refs *r)
{
	if (strcmp(root, "holder") != 0)
		return;
	const cr_holder *h =
		(const cr_holder *)(const void *)(pool->base + off);
	pc_typesig sn = PC_SIG_OBJ(cr_node), sb = PC_SIG_OBJ(cr_blob);
	for (int s = 0; s < NSLOT; s++)
		cr_refs_add(r, h->slot[s].oid.off, pc__sig_typenum(&sn),
			    "holder slot");
	cr_refs_add(r, h->blob.oid.off, pc__sig_typenum(&sb), "holder blob");
}

const cr_scenario cr_scn_ptr = {
	.name = "ptr",
	.nops = PTR_NOPS,
	.op = ptr_op,
	.state_is = ptr_state_is,
	.obj_refs = ptr_refs,
};

/* ================================================================== */
/* tx: a user TX() changing several objects (a bank)                    */
/* ================================================================== */

#define NACCT    5
#define BANK_LOG 8

typedef struct cr_acct {
	uint64_t balance, nops, owner;
} cr_acct;
PC_DECLARE(cr_acct);

typedef struct cr_bank {
	uint64_t ntx;
	uint64_t logpos;
	uint64_t log[BANK_LOG];
	PC_PTR(cr_acct) acct[NACCT];
} cr_bank;
PC_DECLARE(cr_bank);

enum { B_OPEN, B_XFER, B_XFER3, B_REPLACE, B_NESTED, B_NESTED_ABORT };

static int bank_code(int i)
{
	if (i == 0)
		return B_OPEN;
	switch (i % 7) {
	case 3:
		return B_XFER3;
	case 5:
		return B_REPLACE;
	case 6:
		return i % 2 ? B_NESTED : B_NESTED_ABORT;
	default:
		return B_XFER;
	}
}

struct bmodel {
	int open;
	uint64_t ntx, logpos, log[BANK_LOG];
	cr_acct a[NACCT];
};

/* Parameters of op i: accounts a, b, c (distinct) and an amount. */
static void bank_args(int i, int *a, int *b, int *c, uint64_t *amt)
{
	uint64_t v = cr_val(5, (uint64_t)i);
	*a = (int)(v % NACCT);
	*b = (*a + 1 + (int)((v >> 8) % (NACCT - 1))) % NACCT;
	*c = *b;
	while (*c == *a || *c == *b)
		*c = (*c + 1) % NACCT;
	*amt = (v >> 16) % 700;
}

/* Move amt from a to b in the model; 0 when refused (insufficient). */
static int bm_move(struct bmodel *m, int a, int b, uint64_t amt)
{
	if (m->a[a].balance < amt)
		return 0;
	m->a[a].balance -= amt;
	m->a[b].balance += amt;
	m->a[a].nops++;
	m->a[b].nops++;
	return 1;
}

static void bm_log(struct bmodel *m, int i)
{
	m->log[m->logpos % BANK_LOG] = (uint64_t)i;
	m->logpos++;
	m->ntx++;
}

static void bmodel_apply(struct bmodel *m, int i)
{
	int a, b, c;
	uint64_t amt;
	bank_args(i, &a, &b, &c, &amt);
	struct bmodel t = *m;
	switch (bank_code(i)) {
	case B_OPEN:
		m->open = 1;
		for (int j = 0; j < NACCT; j++) {
			m->a[j].balance = 1000;
			m->a[j].nops = 0;
			m->a[j].owner = (uint64_t)j;
		}
		return;
	case B_XFER:
		if (bm_move(&t, a, b, amt)) {
			bm_log(&t, i);
			*m = t;
		}
		return;
	case B_XFER3:
		if (bm_move(&t, a, b, amt / 2) && bm_move(&t, a, c, amt / 2)) {
			bm_log(&t, i);
			*m = t;
		}
		return;
	case B_REPLACE:
		m->a[a].owner = 100u + (uint64_t)i;
		bm_log(m, i);
		return;
	case B_NESTED:
		if (bm_move(&t, a, b, amt) && bm_move(&t, b, c, amt / 3)) {
			bm_log(&t, i);
			*m = t;
		}
		return;
	default: /* B_NESTED_ABORT */
		return;
	}
}

static pc_err bank_get(pc_pool *pool, PC_PTR(cr_bank) *bp)
{
	return PC_ROOT(pool, "bank", cr_bank, PC_OPEN, bp);
}

/* Inside a transaction: move amt from a to b; PC_E_RANGE (transaction
 * still running) when a lacks it. */
static pc_err bank_move(pc_pool *pool, const cr_bank *bk, int a, int b,
			uint64_t amt)
{
	if (PC_RO(pool, cr_acct, bk->acct[a])->balance < amt)
		return PC_E_RANGE;
	cr_acct *wa = PC_RW(pool, cr_acct, bk->acct[a]);
	cr_acct *wb = PC_RW(pool, cr_acct, bk->acct[b]);
	if (!wa || !wb)
		return PC_E_ABORTED;
	wa->balance -= amt;
	wb->balance += amt;
	wa->nops++;
	wb->nops++;
	return PC_OK;
}

static pc_err bank_log(pc_pool *pool, PC_PTR(cr_bank) bp, int i)
{
	cr_bank *w = (cr_bank *)PC_RO(pool, cr_bank, bp);
	uint64_t slot = w->logpos % BANK_LOG;
	PC_TRY(pc_tx_snapshot(pool, &w->log[slot], sizeof(w->log[slot])));
	PC_TRY(pc_tx_snapshot(pool, &w->ntx, 2 * sizeof(uint64_t)));
	w->log[slot] = (uint64_t)i;
	w->logpos++;
	w->ntx++;
	return PC_OK;
}

static pc_err bank_op(pc_pool *pool, int i)
{
	int a, b, c;
	uint64_t amt;
	bank_args(i, &a, &b, &c, &amt);
	pc_err err = PC_OK;
	PC_PTR(cr_bank) bp;
	static const char *const kinds[] = {"open",      "transfer",
					    "transfer3", "replace",
					    "nested",    "nested-abort"};
	cr_op_kind(kinds[bank_code(i)]);
	if (bank_code(i) == B_OPEN) {
		/* Create the root and its accounts in one user TX. */
		TX(pool, &err) {
			if (PC_ROOT(pool, "bank", cr_bank, PC_CREATE, &bp) !=
			    PC_OK)
				break;
			cr_bank *bw = PC_RW(pool, cr_bank, bp);
			if (!bw)
				break;
			int ok = 1;
			for (int j = 0; j < NACCT && ok; j++) {
				cr_acct in = {1000, 0, (uint64_t)j};
				ok = PC_NEW_INIT(pool, cr_acct, &bw->acct[j],
						 &in) == PC_OK;
			}
			if (!ok)
				break;
		}
		return err;
	}
	PC_TRY(bank_get(pool, &bp));
	const cr_bank *bk = PC_RO(pool, cr_bank, bp);
	pc_err move_e = PC_OK;
	switch (bank_code(i)) {
	case B_XFER:
		TX(pool, &err) {
			move_e = bank_move(pool, bk, a, b, amt);
			if (move_e != PC_OK) {
				(void)pc_tx_abort(move_e);
				break;
			}
			if (bank_log(pool, bp, i) != PC_OK)
				break;
		}
		break;
	case B_XFER3:
		TX(pool, &err) {
			move_e = bank_move(pool, bk, a, b, amt / 2);
			if (move_e == PC_OK)
				move_e = bank_move(pool, bk, a, c, amt / 2);
			if (move_e != PC_OK) {
				(void)pc_tx_abort(move_e);
				break;
			}
			if (bank_log(pool, bp, i) != PC_OK)
				break;
		}
		break;
	case B_REPLACE:
		/* Free account a and allocate its successor in one TX. */
		TX(pool, &err) {
			cr_bank *bw = PC_RW(pool, cr_bank, bp);
			if (!bw)
				break;
			cr_acct next = *PC_RO(pool, cr_acct, bw->acct[a]);
			next.owner = 100u + (uint64_t)i;
			if (PC_FREE(pool, cr_acct, &bw->acct[a]) != PC_OK)
				break;
			if (PC_NEW_INIT(pool, cr_acct, &bw->acct[a], &next) !=
			    PC_OK)
				break;
			if (bank_log(pool, bp, i) != PC_OK)
				break;
		}
		break;
	case B_NESTED:
	case B_NESTED_ABORT:
		TX(pool, &err) {
			move_e = bank_move(pool, bk, a, b, amt);
			if (move_e != PC_OK) {
				(void)pc_tx_abort(move_e);
				break;
			}
			pc_err inner = PC_OK;
			TX(pool, &inner) {
				move_e = bank_move(pool, bk, b, c, amt / 3);
				if (move_e != PC_OK) {
					(void)pc_tx_abort(move_e);
					break;
				}
				if (bank_code(i) == B_NESTED_ABORT) {
					(void)pc_tx_abort(PC_E_ABORTED);
					break;
				}
			}
			if (inner != PC_OK)
				break;
			if (bank_log(pool, bp, i) != PC_OK)
				break;
		}
		break;
	default:
		return pc__fail(PC_E_INVAL, "bank: bad op %d", i);
	}
	/* Refusals (insufficient balance) and the deliberate inner abort
	 * are expected outcomes; the oracle checks that they changed
	 * nothing. */
	if (err == PC_OK)
		return PC_OK;
	if (err == PC_E_RANGE && move_e == PC_E_RANGE)
		return PC_OK;
	if (err == PC_E_ABORTED && bank_code(i) == B_NESTED_ABORT)
		return PC_OK;
	return err;
}

static int bank_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	struct bmodel m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < k; i++)
		bmodel_apply(&m, i);
	pc_typesig sa = PC_SIG_OBJ(cr_acct), sb = PC_SIG_OBJ(cr_bank);
	size_t na = cr_count_objs(pool, &sa), nb = cr_count_objs(pool, &sb);
	if (na != (size_t)(m.open ? NACCT : 0) || nb != (size_t)m.open)
		return cr_why(why, n, "heap holds %zu accounts, %zu banks", na,
			      nb);
	PC_PTR(cr_bank) bp;
	pc_err e = bank_get(pool, &bp);
	if (!m.open)
		return e == PC_E_NOTFOUND && pc_root_count(pool) == 0
			       ? 0
			       : cr_why(why, n, "bank root: %s",
					pc_strerror(e));
	if (e != PC_OK)
		return cr_why(why, n, "bank root: %s", pc_errmsg());
	const cr_bank *bk = PC_RO(pool, cr_bank, bp);
	if (bk->ntx != m.ntx || bk->logpos != m.logpos ||
	    memcmp(bk->log, m.log, sizeof(m.log)) != 0)
		return cr_why(why, n,
			      "ntx %llu logpos %llu, expected %llu %llu",
			      (unsigned long long)bk->ntx,
			      (unsigned long long)bk->logpos,
			      (unsigned long long)m.ntx,
			      (unsigned long long)m.logpos);
	uint64_t total = 0;
	for (int j = 0; j < NACCT; j++) {
		if (PC_PTR_CHECK(pool, cr_acct, bk->acct[j]) != PC_OK ||
		    PC_PTR_IS_NULL(bk->acct[j]))
			return cr_why(why, n, "account %d pointer: %s", j,
				      pc_errmsg());
		const cr_acct *ac = PC_RO(pool, cr_acct, bk->acct[j]);
		total += ac->balance;
		if (memcmp(ac, &m.a[j], sizeof(*ac)) != 0)
			return cr_why(why, n,
				      "account %d {%llu,%llu,%llu}, expected "
				      "{%llu,%llu,%llu}",
				      j, (unsigned long long)ac->balance,
				      (unsigned long long)ac->nops,
				      (unsigned long long)ac->owner,
				      (unsigned long long)m.a[j].balance,
				      (unsigned long long)m.a[j].nops,
				      (unsigned long long)m.a[j].owner);
	}
	if (total != 1000u * NACCT)
		return cr_why(why, n, "money not conserved: %llu",
			      (unsigned long long)total);
	return 0;
}

static void bank_refs(pc_pool *pool, const char *root, uint64_t off, cr_refs *r)
{
	if (strcmp(root, "bank") != 0)
		return;
	const cr_bank *bk = (const cr_bank *)(const void *)(pool->base + off);
	pc_typesig sa = PC_SIG_OBJ(cr_acct);
	for (int j = 0; j < NACCT; j++)
		cr_refs_add(r, bk->acct[j].oid.off, pc__sig_typenum(&sa),
			    "bank account");
}

const cr_scenario cr_scn_tx = {
	.name = "tx",
	.nops = 36,
	.soak_nops = 1000000,
	.op = bank_op,
	.state_is = bank_state_is,
	.obj_refs = bank_refs,
};

/* ================================================================== */
/* rawpush: a hand-written push on a raw struct                         */
/* ================================================================== */

#define RAW_CAP 48

typedef struct cr_raw {
	uint64_t len;
	uint64_t pad[7];
	uint64_t elem[RAW_CAP];
} cr_raw;
PC_DECLARE(cr_raw);

static pc_err raw_setup(pc_pool *pool)
{
	PC_PTR(cr_raw) r;
	return PC_ROOT(pool, "raw", cr_raw, PC_CREATE, &r);
}

static pc_err raw_push(pc_pool *pool, int i, int bug)
{
	PC_PTR(cr_raw) rp;
	cr_op_kind("push");
	PC_TRY(PC_ROOT(pool, "raw", cr_raw, PC_OPEN, &rp));
	cr_raw *r = (cr_raw *)PC_RO(pool, cr_raw, rp);
	uint64_t len = r->len;
	if (len >= RAW_CAP)
		return pc__fail(PC_E_FULL, "raw push: full");
	r->elem[len] = cr_val(7, (uint64_t)i);
	if (!bug) /* the bug: the element is never persisted */
		pc_pool_persist(pool, &r->elem[len], sizeof(r->elem[len]));
	r->len = len + 1;
	pc_pool_persist(pool, &r->len, sizeof(r->len));
	return PC_OK;
}

static pc_err raw_op(pc_pool *pool, int i)
{
	return raw_push(pool, i, 0);
}

static pc_err raw_op_bug(pc_pool *pool, int i)
{
	return raw_push(pool, i, 1);
}

static int raw_state_is(pc_pool *pool, int k, char *why, size_t n)
{
	PC_PTR(cr_raw) rp;
	if (PC_ROOT(pool, "raw", cr_raw, PC_OPEN, &rp) != PC_OK)
		return cr_why(why, n, "raw root: %s", pc_errmsg());
	const cr_raw *r = PC_RO(pool, cr_raw, rp);
	if (r->len != (uint64_t)k)
		return cr_why(why, n, "len %llu, expected %d",
			      (unsigned long long)r->len, k);
	/* The logical state is elem[0..len): slots past len may hold a
	 * value whose length update never became durable. */
	for (int j = 0; j < k; j++) {
		uint64_t want = cr_val(7, (uint64_t)j);
		if (r->elem[j] != want)
			return cr_why(why, n, "elem[%d] = %llx, expected %llx",
				      j, (unsigned long long)r->elem[j],
				      (unsigned long long)want);
	}
	return 0;
}

const cr_scenario cr_scn_rawpush = {
	.name = "rawpush",
	.nops = 40,
	.setup = raw_setup,
	.op = raw_op,
	.state_is = raw_state_is,
};

const cr_scenario cr_scn_rawpush_bug = {
	.name = "rawpush-bug",
	.nops = 40,
	.setup = raw_setup,
	.op = raw_op_bug,
	.state_is = raw_state_is,
};
