/* ew_exec.h: the blocked elementwise evaluator behind phylanx.runtime._elementwise: the
 * runtime's one elementwise engine (fused ops, single elementwise ops, fused_reduce, and, through
 * phx_ew_eval, matvec_pair's body and the native loop kernel's elementwise ops).
 *
 * A program (ew_prog.h; built by runtime/_ew_program.py, packed by _elementwise.pyx) is a list of
 * register-to-register instructions over blocks of PHX_BLOCK elements of the broadcast output,
 * seen as one flat C-order index range. Registers are block-sized buffers: temporaries and
 * broadcast constants live in per-thread scratch; an input register points straight into its
 * array when the array is contiguous in output order (else a gather copies the block, with
 * the dtype conversion, into scratch, or a periodic input, e.g. a row broadcast down a
 * matrix, is pre-tiled once per thread); an output register points into the output. Each
 * instruction is one `#pragma omp simd` loop over the block, so the working set of a block
 * stays in L1/L2 and every loop vectorises.
 *
 * The block executor is compiled three times (ew_block.h: SSE2 baseline, AVX2+FMA, AVX-512)
 * and picked at run time from the CPU (the package binary stays generic; no -march=native).
 * Blocks are claimed dynamically (schedule(dynamic, chunk of ~1/32 of a thread's share):
 * the cores are shared with other work, so a static split would wait for the slowest.
 * Float sums of fused_reduce are NumPy's pairwise sums (pairwise.h).
 */
#ifndef PHX_EW_EXEC_H
#define PHX_EW_EXEC_H

#include "ew_prog.h"
#include "fpe.h"
#include "pairwise.h"       /* before the pragmas below: its sums are NumPy's, uncontracted */

/* Vectorising the select-everything kernels needs these (see vmath.h); pushed only around
 * this engine, not the Cython-generated code that includes it. */
#pragma GCC push_options
#pragma GCC optimize("no-math-errno", "no-trapping-math", "fp-contract=fast")

#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmath.h"

/* ---- per-thread scratch ---------------------------------------------------------------- */

/* OpenMP threads live as long as the process: each keeps one growing buffer, so a block
 * never mallocs (a fresh 100+ KiB malloc would be an mmap that page-faults every time). */
static __thread char *phx_tls_buf;
static __thread size_t phx_tls_cap;

static char *phx_scratch(size_t bytes) {
    if (bytes > phx_tls_cap) {
        free(phx_tls_buf);
        size_t cap = (bytes + 4095) & ~(size_t)4095;
        phx_tls_buf = aligned_alloc(64, cap);
        phx_tls_cap = phx_tls_buf ? cap : 0;
    }
    return phx_tls_buf;
}

/* Buffer layout: every TEMP/CONST/gathered IN/converted OUT register gets PHX_BLOCK 8-byte
 * slots (any register type fits); a tiled IN gets PHX_BLOCK + period elements; one more
 * block of doubles is the f32 math scratch. Returns the total bytes. */
static size_t phx_layout(phx_prog *P) {
    size_t off = 0;
    for (int k = 0; k < P->nreg; k++) {
        phx_reg *r = &P->regs[k];
        size_t bytes = 0;
        if (r->kind == PHX_R_TEMP || r->kind == PHX_R_CONST)
            bytes = PHX_BLOCK * 8;
        else if (r->kind == PHX_R_IN && r->mode == PHX_IN_GATHER)
            bytes = PHX_BLOCK * 8;
        else if (r->kind == PHX_R_IN && r->mode == PHX_IN_TILE)
            bytes = (PHX_BLOCK + r->period) * 8;
        else if (r->kind == PHX_R_OUT && (r->stype != r->rtype || P->stream))
            bytes = PHX_BLOCK * 8;
        r->off = off;
        off += (bytes + 63) & ~(size_t)63;
    }
    return off + PHX_BLOCK * 8;
}

/* ---- gathers (ISA-independent: they are memory-bound) ---------------------------------- */

/* Copies n elements of storage type st at byte stride s into register type dst, converting. */
static void phx_copy_run(void *dst, const char *src, ptrdiff_t s, ptrdiff_t n, int st) {
#define PHX_RUN(ST, RT) { RT *d = (RT *)dst; for (ptrdiff_t i = 0; i < n; i++) d[i] = (RT)*(const ST *)(src + i * s); } break;
    switch (st) {
    case PHX_F64: PHX_RUN(double, double)
    case PHX_F32: PHX_RUN(float, float)
    case PHX_I64: PHX_RUN(int64_t, int64_t)
    case PHX_U64: PHX_RUN(uint64_t, uint64_t)
    case PHX_B8: PHX_RUN(uint8_t, uint8_t)
    case PHX_S_I32: PHX_RUN(int32_t, int64_t)
    case PHX_S_I16: PHX_RUN(int16_t, int64_t)
    case PHX_S_I8: PHX_RUN(int8_t, int64_t)
    case PHX_S_U32: PHX_RUN(uint32_t, int64_t)
    case PHX_S_U16: PHX_RUN(uint16_t, int64_t)
    case PHX_S_U8: PHX_RUN(uint8_t, int64_t)
    }
#undef PHX_RUN
}

/* The n elements of input register r at flat output positions start.. into dst. Walks the
 * coalesced shape one innermost run at a time (a stride-0 run is a fill). */
static void phx_gather(const phx_prog *P, const phx_reg *r, char *dst, ptrdiff_t start,
                       ptrdiff_t n) {
    ptrdiff_t idx[PHX_MAXDIM];
    int nd = P->ndim, last = nd - 1;
    ptrdiff_t rem = start;
    const char *src = r->data;
    for (int d = last; d >= 0; d--) {
        idx[d] = rem % P->shape[d];
        rem /= P->shape[d];
        src += idx[d] * r->strides[d];
    }
    int es = phx_esize[phx_reg_of_storage[r->stype]];
    while (n > 0) {
        ptrdiff_t len = P->shape[last] - idx[last];
        if (len > n) len = n;
        phx_copy_run(dst, src, r->strides[last], len, r->stype);
        dst += len * es;
        n -= len;
        src += len * r->strides[last];
        idx[last] += len;
        for (int d = last; d > 0 && idx[d] == P->shape[d]; d--) {   /* carry */
            src -= idx[d] * r->strides[d];
            idx[d] = 0;
            idx[d - 1]++;
            src += r->strides[d - 1];
        }
    }
}

/* Per-thread setup of a scratch buffer: constants filled, periodic inputs tiled (as far as a
 * block of this problem reaches: small problems fill little). */
static void phx_init_scratch(const phx_prog *P, char *scr) {
    const int fill = P->size < PHX_BLOCK ? (int)P->size : PHX_BLOCK;
    for (int k = 0; k < P->nreg; k++) {
        const phx_reg *r = &P->regs[k];
        char *buf = scr + r->off;
        if (r->kind == PHX_R_CONST) {
            switch (r->rtype) {
            case PHX_F64:
                for (int i = 0; i < fill; i++) ((double *)buf)[i] = r->value.f64;
                break;
            case PHX_F32:
                for (int i = 0; i < fill; i++) ((float *)buf)[i] = r->value.f32;
                break;
            case PHX_I64: case PHX_U64:
                for (int i = 0; i < fill; i++) ((int64_t *)buf)[i] = r->value.i64;
                break;
            case PHX_B8:
                memset(buf, r->value.b8, fill);
                break;
            }
        } else if (r->kind == PHX_R_IN && r->mode == PHX_IN_TILE) {
            /* the first period elements, then copies of them up to PHX_BLOCK + period */
            int es = phx_esize[r->rtype];
            ptrdiff_t total = fill + r->period;
            phx_gather(P, r, buf, 0, r->period);
            for (ptrdiff_t done = r->period; done < total; ) {
                ptrdiff_t len = done < total - done ? done : total - done;
                memcpy(buf + done * es, buf, len * es);
                done += len;
            }
        }
    }
}

/* ---- the per-ISA block executors --------------------------------------------------------- */

/* Runs one block; returns the buffer of register P->ret (fused_reduce's mapped value). */
typedef const void *(*phx_block_fn)(const phx_prog *, char *, ptrdiff_t, ptrdiff_t,
                                    void *const *);

#define PHX_ISA_NAME phx_block_sse2
#define PHX_ISA_ATTR
#define PHX_ISA_LEVEL 0
#include "ew_block.h"
#define PHX_ISA_NAME phx_block_avx2
#define PHX_ISA_ATTR __attribute__((target("avx2,fma")))
#define PHX_ISA_LEVEL 1
#include "ew_block.h"
#define PHX_ISA_NAME phx_block_avx512
#define PHX_ISA_LEVEL 2
#define PHX_ISA_ATTR __attribute__((target( \
    "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,prefer-vector-width=512")))
#include "ew_block.h"

static const phx_block_fn phx_block_fns[3] = {phx_block_sse2, phx_block_avx2, phx_block_avx512};

/* The best ISA level this CPU runs: 2 AVX-512 (F/DQ/BW/VL), 1 AVX2+FMA, 0 SSE2. */
static int phx_detect_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 1;
    return 0;
}

/* ---- parallel driver --------------------------------------------------------------------- */

/* Page faults of a fresh output: one store per 4 KiB page, pages [p0, p1) of the concatenated
 * outputs. Faulting in a separate pass (in parallel) is much cheaper than faulting in the
 * middle of the streaming loop: measured 2 threads, 80 MB: ~18 ms -> see tests/bench. */
static int phx_populate = 1;    /* MADV_POPULATE_WRITE works (Linux >= 5.14) */

static void phx_prefault(const phx_prog *P, ptrdiff_t p0, ptrdiff_t p1) {
    ptrdiff_t base = 0;
    for (int k = 0; k < P->nreg; k++) {
        const phx_reg *r = &P->regs[k];
        if (r->kind != PHX_R_OUT) continue;
        ptrdiff_t bytes = P->size * phx_esize[r->stype];
        ptrdiff_t npages = (bytes + 4095) / 4096;
        ptrdiff_t q0 = p0 - base < 0 ? 0 : p0 - base, q1 = p1 - base < npages ? p1 - base : npages;
        if (q0 < q1 && phx_populate > 0) {
            /* whole pages inside the output only: populating never writes */
            uintptr_t a = ((uintptr_t)r->data + q0 * 4096 + 4095) & ~(uintptr_t)4095;
            uintptr_t e = ((uintptr_t)r->data + (q1 * 4096 < bytes ? q1 * 4096 : bytes)) & ~(uintptr_t)4095;
            if (e > a && madvise((void *)a, e - a, 23 /* MADV_POPULATE_WRITE */) != 0)
                phx_populate = 0;
        }
        for (ptrdiff_t q = q0; q < q1; q++)     /* the edge pages, or everything without it */
            if (phx_populate <= 0 || q == q0 || q == q1 - 1)
                ((volatile char *)r->data)[q * 4096 < bytes ? q * 4096 : bytes - 1] = 0;
        base += npages;
    }
}

static ptrdiff_t phx_out_pages(const phx_prog *P) {
    ptrdiff_t n = 0;
    for (int k = 0; k < P->nreg; k++)
        if (P->regs[k].kind == PHX_R_OUT)
            n += (P->size * phx_esize[P->regs[k].stype] + 4095) / 4096;
    return n;
}

/* Blocks [b0, b1) on the calling thread. */
static void phx_run_blocks(const phx_prog *P, ptrdiff_t b0, ptrdiff_t b1) {
    char *scr = phx_scratch(P->scratch);
    if (!scr) return;       /* out of memory: checked by the caller via phx_prepare_threads */
    phx_block_fn fn = phx_block_fns[P->isa];
    phx_init_scratch(P, scr);
    for (ptrdiff_t b = b0; b < b1; b++) {
        ptrdiff_t start = b * PHX_BLOCK;
        ptrdiff_t n = P->size - start < PHX_BLOCK ? P->size - start : PHX_BLOCK;
        fn(P, scr, start, n, NULL);
    }
    if (P->stream) _mm_sfence();
}

/* Runs the program over the whole output; returns 0, or -1 if scratch could not be allocated. */
static int phx_ew_run(const phx_prog *P) {
    ptrdiff_t nb = (P->size + PHX_BLOCK - 1) / PHX_BLOCK;
    int nt = P->nthreads;
    int failed = 0;
    if (nb == 0) return 0;
    if (nt > nb) nt = (int)nb;
    if (nt <= 1 || omp_in_parallel()) {     /* small, or already one of a team's tasks */
        if (!phx_scratch(P->scratch)) return -1;
        if (P->prefault) phx_prefault(P, 0, phx_out_pages(P));
        phx_run_blocks(P, 0, nb);
        return 0;
    }
    ptrdiff_t npages = P->prefault ? phx_out_pages(P) : 0;
    /* A claim is ~1/32 of a thread's share: a straggler costs <= 3%, claims stay rare. */
    ptrdiff_t chunk = nb / ((ptrdiff_t)nt * 32);
    if (chunk < 1) chunk = 1;
    #pragma omp parallel num_threads(nt) shared(failed)
    {
        phx_fpe_start(P->fpe_want);
        char *scr = phx_scratch(P->scratch);
        phx_block_fn fn = phx_block_fns[P->isa];
        if (!scr) failed = 1;
        else phx_init_scratch(P, scr);
        if (npages) {
            #pragma omp for schedule(static)
            for (int t = 0; t < nt; t++)
                phx_prefault(P, npages * t / nt, npages * (t + 1) / nt);
        }
        #pragma omp for schedule(dynamic, 1) nowait
        for (ptrdiff_t c = 0; c < (nb + chunk - 1) / chunk; c++) {
            if (!scr) continue;
            ptrdiff_t b1 = (c + 1) * chunk < nb ? (c + 1) * chunk : nb;
            for (ptrdiff_t b = c * chunk; b < b1; b++) {
                ptrdiff_t start = b * PHX_BLOCK;
                ptrdiff_t n = P->size - start < PHX_BLOCK ? P->size - start : PHX_BLOCK;
                fn(P, scr, start, n, NULL);
            }
        }
        if (P->stream) _mm_sfence();   /* order our streaming stores before the barrier */
        phx_fpe_collect((int *)&P->fpe);
    }
    return failed ? -1 : 0;
}

/* ---- programs over the caller's own blocks ------------------------------------------------
 *
 * Other engines run a program as a step of their own loops (matvec_pair's body over each row
 * block, the native loop kernel's elementwise ops per iteration), on their own threads: the
 * same instructions and vector math as phx_ew_run, hence the same bits. */

/* Prepares the calling thread to run P: its FP flags cleared and the ones NumPy's error state
 * asks about noted (fpe.h), its scratch set up. Returns the scratch, or NULL when it cannot be
 * allocated; valid until the thread prepares another program. */
static char *phx_ew_thread_start(const phx_prog *P) {
    phx_fpe_start(P->fpe_want);
    char *scr = phx_scratch(P->scratch);
    if (scr) phx_init_scratch(P, scr);
    return scr;
}

/* Runs P over elements [start, start + n) of its iteration space (any n) on the calling thread,
 * with the scratch phx_ew_thread_start gave. Register k with bind[k] != NULL (bind may be
 * NULL) reads or writes n contiguous elements of its type at bind[k] instead of its own
 * memory (outputs: full-width types only). */
static void phx_ew_eval(const phx_prog *P, char *scr, ptrdiff_t start, ptrdiff_t n,
                        void *const *bind) {
    phx_block_fn fn = phx_block_fns[P->isa];
    void *b[PHX_MAXREG];
    if (n <= PHX_BLOCK) {
        fn(P, scr, start, n, bind);
        return;
    }
    for (ptrdiff_t s = 0; s < n; s += PHX_BLOCK) {
        for (int k = 0; k < P->nreg; k++)
            b[k] = bind && bind[k] ? (char *)bind[k] + s * phx_esize[P->regs[k].rtype] : NULL;
        fn(P, scr, start + s, n - s < PHX_BLOCK ? n - s : PHX_BLOCK, b);
    }
}

/* ---- fused_reduce: reductions of the mapped value without materialising it ------------------
 *
 * Float sums follow NumPy bit for bit: np.sum of a contiguous array is 0 + pairwise(all n)
 * (numpy/_core/src/umath/loops_utils.h.src: blocks of 8 accumulators up to 128 elements, split
 * at a multiple of 8 above); integer means sum as f64 through NumPy's 8192-element cast
 * buffers (acc += pairwise(buffer), in order). The pairwise tree is cut into its maximal
 * subtrees of <= PHX_RED_TASK elements, computed in parallel and combined in the tree's order:
 * the result does not depend on the number of threads. */

#define PHX_RED_TASK 16384      /* elements per task (buffered as f64: 128 KiB per thread) */
#define PHX_RED_CHUNK 8192      /* NumPy's cast buffer */

typedef struct { ptrdiff_t lo, n; int left, right; } phx_red_node;   /* leaf: left < 0 */

/* Cuts NumPy's pairwise tree over [lo, lo + n) into nodes; returns the node index. */
static int phx_red_tree(phx_red_node *nodes, int *count, ptrdiff_t lo, ptrdiff_t n) {
    int k = (*count)++;
    nodes[k].lo = lo;
    nodes[k].n = n;
    nodes[k].left = nodes[k].right = -1;
    if (n > PHX_RED_TASK) {
        ptrdiff_t n2 = phx_pairwise_split(n);
        int l = phx_red_tree(nodes, count, lo, n2);
        int r = phx_red_tree(nodes, count, lo + n2, n - n2);
        nodes[k].left = l;
        nodes[k].right = r;
    }
    return k;
}

static double phx_red_combine(const phx_red_node *nodes, const double *part, int k, int f32) {
    if (nodes[k].left < 0) return part[k];
    double l = phx_red_combine(nodes, part, nodes[k].left, f32);
    double r = phx_red_combine(nodes, part, nodes[k].right, f32);
    return f32 ? (double)((float)l + (float)r) : l + r;
}

/* The reduction of elements [lo, lo + n) of the mapped value, as a partial result. */
static phx_value phx_red_range(const phx_prog *P, char *scr, int kind, ptrdiff_t lo,
                               ptrdiff_t n, double *buf) {
    phx_block_fn fn = phx_block_fns[P->isa];
    int rt = P->ret_type;
    phx_value acc;
    acc.u64 = 0;
    if (kind == PHX_RED_SUM && (rt == PHX_F64 || rt == PHX_F32)) {
        float *fbuf = (float *)buf;
        for (ptrdiff_t s = 0; s < n; s += PHX_BLOCK) {
            ptrdiff_t len = n - s < PHX_BLOCK ? n - s : PHX_BLOCK;
            const void *v = fn(P, scr, lo + s, len, NULL);
            memcpy(rt == PHX_F64 ? (void *)(buf + s) : (void *)(fbuf + s), v,
                   len * phx_esize[rt]);
        }
        if (rt == PHX_F64) acc.f64 = phx_pw_dd(buf, n, 1, 0);
        else acc.f64 = phx_pw_ff(fbuf, n, 1, 0);
        return acc;
    }
    if (kind == PHX_RED_SUMCHUNK) {          /* one 8192-element cast buffer, as f64 */
        for (ptrdiff_t s = 0; s < n; s += PHX_BLOCK) {
            ptrdiff_t len = n - s < PHX_BLOCK ? n - s : PHX_BLOCK;
            const void *v = fn(P, scr, lo + s, len, NULL);
            for (ptrdiff_t i = 0; i < len; i++)
                buf[s + i] = rt == PHX_I64 ? (double)((const int64_t *)v)[i]
                           : rt == PHX_U64 ? (double)((const uint64_t *)v)[i]
                           : (double)(((const uint8_t *)v)[i] != 0);
        }
        acc.f64 = phx_pw_dd(buf, n, 1, 0);
        return acc;
    }
    int first = 1;
    for (ptrdiff_t s = 0; s < n; s += PHX_BLOCK) {
        ptrdiff_t len = n - s < PHX_BLOCK ? n - s : PHX_BLOCK;
        const void *v = fn(P, scr, lo + s, len, NULL);
        for (ptrdiff_t i = 0; i < len; i++) {
            switch (rt) {
            case PHX_F64: case PHX_F32: {
                double x = rt == PHX_F64 ? ((const double *)v)[i] : ((const float *)v)[i];
                if (kind == PHX_RED_ANY) acc.u64 |= x != 0;
                else if (kind == PHX_RED_ALL) acc.u64 = (first ? 1 : acc.u64) & (x != 0);
                else if (first || x != x) acc.f64 = x;           /* NaN is sticky */
                else if (acc.f64 == acc.f64)
                    acc.f64 = kind == PHX_RED_MAX ? (x > acc.f64 ? x : acc.f64)
                                                  : (x < acc.f64 ? x : acc.f64);
                break;
            }
            case PHX_I64: case PHX_U64: case PHX_B8: {
                uint64_t x = rt == PHX_B8 ? ((const uint8_t *)v)[i] != 0
                                          : ((const uint64_t *)v)[i];
                int64_t sx = (int64_t)x;
                if (kind == PHX_RED_SUM) acc.u64 += x;
                else if (kind == PHX_RED_PROD) acc.u64 = first ? x : acc.u64 * x;
                else if (kind == PHX_RED_ANY) acc.u64 |= x != 0;
                else if (kind == PHX_RED_ALL) acc.u64 = (first ? 1 : acc.u64) & (x != 0);
                else if (first) acc.u64 = x;
                else if (rt == PHX_I64)
                    acc.i64 = kind == PHX_RED_MAX ? (sx > acc.i64 ? sx : acc.i64)
                                                  : (sx < acc.i64 ? sx : acc.i64);
                else
                    acc.u64 = kind == PHX_RED_MAX ? (x > acc.u64 ? x : acc.u64)
                                                  : (x < acc.u64 ? x : acc.u64);
                break;
            }
            }
            first = 0;
        }
    }
    return acc;
}

/* Combines two partial results of consecutive ranges (a before b). */
static phx_value phx_red_join(int kind, int rt, phx_value a, phx_value b) {
    int fl = rt == PHX_F64 || rt == PHX_F32;
    switch (kind) {
    case PHX_RED_SUM: if (!fl) a.u64 += b.u64; break;   /* floats: the tree combines */
    case PHX_RED_PROD: a.u64 *= b.u64; break;
    case PHX_RED_ANY: a.u64 |= b.u64; break;
    case PHX_RED_ALL: a.u64 &= b.u64; break;
    case PHX_RED_MIN: case PHX_RED_MAX:
        if (fl) {
            if (a.f64 != a.f64) break;
            if (b.f64 != b.f64 || (kind == PHX_RED_MAX ? b.f64 > a.f64 : b.f64 < a.f64)) a = b;
        } else if (rt == PHX_I64) {
            if (kind == PHX_RED_MAX ? b.i64 > a.i64 : b.i64 < a.i64) a = b;
        } else if (kind == PHX_RED_MAX ? b.u64 > a.u64 : b.u64 < a.u64) {
            a = b;
        }
        break;
    }
    return a;
}

/* Reduces the whole mapped value (P->size >= 1 elements) into *out: f64 for float sums and
 * min/max and for SUMCHUNK (the f64 sum), else the integer bits. Returns -1 on no memory. */
static int phx_ew_reduce(const phx_prog *P, int kind, phx_value *out) {
    int rt = P->ret_type;
    int fl = rt == PHX_F64 || rt == PHX_F32;
    int tree = kind == PHX_RED_SUM && fl;
    ptrdiff_t task = kind == PHX_RED_SUMCHUNK ? PHX_RED_CHUNK : PHX_RED_TASK;
    ptrdiff_t ntask = (P->size + task - 1) / task;
    int nnodes = 0;
    phx_red_node *nodes = malloc(sizeof(phx_red_node) * (tree ? 4 * ntask + 4 : ntask));
    phx_value *part = malloc(sizeof(phx_value) * (tree ? 4 * ntask + 4 : ntask));
    int failed = 0;
    if (!nodes || !part) { free(nodes); free(part); return -1; }
    if (tree) {
        phx_red_tree(nodes, &nnodes, 0, P->size);
    } else {
        for (ptrdiff_t t = 0; t < ntask; t++) {
            nodes[t].lo = t * task;
            nodes[t].n = P->size - t * task < task ? P->size - t * task : task;
            nodes[t].left = -1;
        }
        nnodes = (int)ntask;
    }
    int nt = P->nthreads < nnodes ? P->nthreads : nnodes;
    if (nt < 1 || omp_in_parallel()) nt = 1;
    size_t need = P->scratch + PHX_RED_TASK * sizeof(double);
    #pragma omp parallel num_threads(nt) shared(failed)
    {
        phx_fpe_start(P->fpe_want);
        char *scr = phx_scratch(need);
        if (!scr) failed = 1;
        else phx_init_scratch(P, scr);
        double *buf = scr ? (double *)(scr + P->scratch) : NULL;
        #pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < nnodes; k++)
            if (scr && nodes[k].left < 0)
                part[k] = phx_red_range(P, scr, kind, nodes[k].lo, nodes[k].n, buf);
        phx_fpe_collect((int *)&P->fpe);
    }
    if (!failed) {
        if (tree) {
            double *d = malloc(sizeof(double) * nnodes);
            if (!d) failed = 1;
            else {
                for (int k = 0; k < nnodes; k++) d[k] = part[k].f64;
                out->f64 = phx_red_combine(nodes, d, 0, rt == PHX_F32);
                free(d);
            }
        } else if (kind == PHX_RED_SUMCHUNK) {
            double acc = 0.0;                /* NumPy: acc += pairwise(buffer), in order */
            for (int k = 0; k < nnodes; k++) acc += part[k].f64;
            out->f64 = acc;
        } else {
            phx_value acc = part[0];
            for (int k = 1; k < nnodes; k++) acc = phx_red_join(kind, rt, acc, part[k]);
            *out = acc;
        }
    }
    free(nodes);
    free(part);
    return failed ? -1 : 0;
}

/* Axis reductions of the mapped value viewed in flat C order as
 *   rows (mode 1): [nkeep][rlen], reduced along rlen: out[i] = 0 + pairwise(row i) for float
 *                  sums, as NumPy reduces a contiguous innermost axis;
 *   cols (mode 2): [rlen][nkeep], reduced along rlen: out = 0; out += row r, in order of r,
 *                  as NumPy reduces leading axes with the binary loop (maximum/minimum: NaN
 *                  propagates, a tie gives the row's element, as np.maximum(out, row)).
 * out holds nkeep doubles (float kinds) or 64-bit integers; the caller casts to the result
 * dtype. Parallel over row groups / column chunks: the same result for any thread count. */
static phx_value phx_red_row(int kind, int rt, const char *v, ptrdiff_t n) {
    phx_value acc;
    acc.u64 = 0;
    if (kind == PHX_RED_SUM && rt == PHX_F64) {
        acc.f64 = 0.0 + phx_pw_dd((const double *)v, n, 1, 0);
        return acc;
    }
    if (kind == PHX_RED_SUM && rt == PHX_F32) {
        acc.f64 = 0.0f + phx_pw_ff((const float *)v, n, 1, 0);
        return acc;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        if (rt == PHX_F64 || rt == PHX_F32) {
            double x = rt == PHX_F64 ? ((const double *)v)[i] : ((const float *)v)[i];
            if (kind == PHX_RED_ANY) acc.u64 |= x != 0;
            else if (kind == PHX_RED_ALL) acc.u64 = (i == 0 ? 1 : acc.u64) & (x != 0);
            else if (i == 0 || x != x) acc.f64 = i == 0 || acc.f64 == acc.f64 ? x : acc.f64;
            else if (acc.f64 == acc.f64)
                acc.f64 = kind == PHX_RED_MAX ? (x > acc.f64 ? x : acc.f64)
                                              : (x < acc.f64 ? x : acc.f64);
        } else {
            uint64_t x = rt == PHX_B8 ? ((const uint8_t *)v)[i] != 0 : ((const uint64_t *)v)[i];
            int64_t sx = (int64_t)x;
            if (kind == PHX_RED_SUM) acc.u64 += x;
            else if (kind == PHX_RED_PROD) acc.u64 = i == 0 ? x : acc.u64 * x;
            else if (kind == PHX_RED_ANY) acc.u64 |= x != 0;
            else if (kind == PHX_RED_ALL) acc.u64 = (i == 0 ? 1 : acc.u64) & (x != 0);
            else if (i == 0) acc.u64 = x;
            else if (rt == PHX_I64)
                acc.i64 = kind == PHX_RED_MAX ? (sx > acc.i64 ? sx : acc.i64)
                                              : (sx < acc.i64 ? sx : acc.i64);
            else
                acc.u64 = kind == PHX_RED_MAX ? (x > acc.u64 ? x : acc.u64)
                                              : (x < acc.u64 ? x : acc.u64);
        }
    }
    return acc;
}

/* acc (n partial results) combined with the next row v of the cols layout (first: r == 0). */
static void phx_red_col(int kind, int rt, phx_value *acc, const char *v, ptrdiff_t n, int first) {
    for (ptrdiff_t i = 0; i < n; i++) {
        phx_value a = acc[i];
        if (rt == PHX_F64 || rt == PHX_F32) {
            double x = rt == PHX_F64 ? ((const double *)v)[i] : ((const float *)v)[i];
            if (kind == PHX_RED_SUM)
                a.f64 = rt == PHX_F64 ? (first ? 0.0 : a.f64) + x
                                      : (double)((first ? 0.0f : (float)a.f64) + (float)x);
            else if (kind == PHX_RED_ANY) a.u64 = (first ? 0 : a.u64) | (x != 0);
            else if (kind == PHX_RED_ALL) a.u64 = (first ? 1 : a.u64) & (x != 0);
            else if (first) a.f64 = x;
            else if (a.f64 == a.f64)
                a.f64 = kind == PHX_RED_MAX ? (a.f64 > x ? a.f64 : x) : (a.f64 < x ? a.f64 : x);
        } else {
            uint64_t x = rt == PHX_B8 ? ((const uint8_t *)v)[i] != 0 : ((const uint64_t *)v)[i];
            int64_t sx = (int64_t)x;
            if (kind == PHX_RED_SUM) a.u64 = (first ? 0 : a.u64) + x;
            else if (kind == PHX_RED_PROD) a.u64 = first ? x : a.u64 * x;
            else if (kind == PHX_RED_ANY) a.u64 = (first ? 0 : a.u64) | (x != 0);
            else if (kind == PHX_RED_ALL) a.u64 = (first ? 1 : a.u64) & (x != 0);
            else if (first) a.u64 = x;
            else if (rt == PHX_I64)
                a.i64 = kind == PHX_RED_MAX ? (sx > a.i64 ? sx : a.i64) : (sx < a.i64 ? sx : a.i64);
            else
                a.u64 = kind == PHX_RED_MAX ? (x > a.u64 ? x : a.u64) : (x < a.u64 ? x : a.u64);
        }
        acc[i] = a;
    }
}

static int phx_ew_reduce_axis(const phx_prog *P, int kind, int mode, ptrdiff_t nkeep,
                              ptrdiff_t rlen, phx_value *out) {
    int rt = P->ret_type, es = phx_esize[rt];
    /* rows: groups of whole rows of <= PHX_RED_TASK elements; cols: chunks of one block */
    ptrdiff_t group = mode == 1 ? (rlen >= PHX_RED_TASK ? 1 : PHX_RED_TASK / rlen) : PHX_BLOCK;
    ptrdiff_t ntask = (nkeep + group - 1) / group;
    int nt = P->nthreads < ntask ? P->nthreads : (int)ntask;
    int failed = 0;
    if (nt < 1 || omp_in_parallel()) nt = 1;
    size_t need = P->scratch + (mode == 1 ? group * rlen * 8 : 0);
    #pragma omp parallel num_threads(nt) shared(failed)
    {
        phx_fpe_start(P->fpe_want);
        char *scr = phx_scratch(need);
        phx_block_fn fn = phx_block_fns[P->isa];
        if (!scr) failed = 1;
        else phx_init_scratch(P, scr);
        char *buf = scr ? scr + P->scratch : NULL;
        #pragma omp for schedule(dynamic, 1)
        for (ptrdiff_t t = 0; t < ntask; t++) {
            if (!scr) continue;
            ptrdiff_t k0 = t * group, k1 = k0 + group < nkeep ? k0 + group : nkeep;
            if (mode == 1) {
                ptrdiff_t lo = k0 * rlen, n = (k1 - k0) * rlen;
                for (ptrdiff_t s = 0; s < n; s += PHX_BLOCK) {
                    ptrdiff_t len = n - s < PHX_BLOCK ? n - s : PHX_BLOCK;
                    memcpy(buf + s * es, fn(P, scr, lo + s, len, NULL), len * es);
                }
                for (ptrdiff_t k = k0; k < k1; k++)
                    out[k] = phx_red_row(kind, rt, buf + (k - k0) * rlen * es, rlen);
            } else {
                for (ptrdiff_t r = 0; r < rlen; r++)
                    phx_red_col(kind, rt, out + k0, fn(P, scr, r * nkeep + k0, k1 - k0, NULL),
                                k1 - k0, r == 0);
            }
        }
        phx_fpe_collect((int *)&P->fpe);
    }
    return failed ? -1 : 0;
}

#pragma GCC pop_options
#endif
