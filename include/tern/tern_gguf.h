/*
 * tern_gguf: read and write GGUF model files (v3, little-endian; v2 is read too).
 *
 * The reader maps the file (or copies a caller's buffer) and validates every byte it
 * will ever hand out before tern_gguf_open returns: magic, version, counts bounded by
 * the file size, string and array lengths, value and tensor types, dimensions and
 * their products (overflow-checked), alignment, tensor data inside the file and not
 * overlapping, no duplicate keys or tensor names. After a successful open every
 * pointer in the public structs below is valid until tern_gguf_close; nothing is
 * re-checked later. Failures return a negative TERN_GGUF_E* code and a one-line
 * message starting with "gguf: ".
 *
 * Tensor types are the ggml ids as stored in the file. Id 36 means bitnet.cpp's I2_S
 * and is only accepted when the file comes from bitnet.cpp (tern_gguf_origin; the rule
 * is in docs/gguf.md), so after a successful open a type id has one meaning.
 *
 * The writer collects metadata and tensors (copied, so callers may free theirs), packs
 * ternary weights, and writes a file atomically (temporary file + rename) or a memory
 * image. Errors are sticky: the first one is reported by the write call.
 */
#ifndef TERN_GGUF_H
#define TERN_GGUF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum tern_gguf_err {
	TERN_GGUF_OK        = 0,
	TERN_GGUF_EIO       = -1,  /* cannot open, map, read or write a file */
	TERN_GGUF_ENOMEM    = -2,
	TERN_GGUF_EMAGIC    = -3,  /* not a GGUF file */
	TERN_GGUF_EVERSION  = -4,  /* version other than 2/3, or big-endian */
	TERN_GGUF_ETRUNC    = -5,  /* something runs past the end of the file */
	TERN_GGUF_ELIMIT    = -6,  /* count or length larger than the file could hold */
	TERN_GGUF_ETYPE     = -7,  /* unknown value or tensor type, or a getter's mismatch */
	TERN_GGUF_EALIGN    = -8,  /* bad general.alignment or unaligned tensor offset */
	TERN_GGUF_EOVERLAP  = -9,  /* two tensors share bytes */
	TERN_GGUF_EDUP      = -10, /* duplicate key or tensor name */
	TERN_GGUF_ESHAPE    = -11, /* zero or overflowing dims, row not whole blocks */
	TERN_GGUF_ENOTFOUND = -12,
	TERN_GGUF_ESCALE    = -13, /* ternary block scales differ, or scale not finite */
	TERN_GGUF_EUNSUP    = -14, /* well-formed but not supported (nested arrays, ...) */
	TERN_GGUF_EINVAL    = -15, /* bad value (bool 2, 2-bit code 3, bad argument) */
	TERN_GGUF_EORIGIN   = -16, /* I2_S id in a file without bitnet.cpp origin keys */
	TERN_GGUF_ERANGE    = -17, /* value does not fit the getter's type */
	TERN_GGUF_ECANCEL   = -18, /* writing stopped by the cancel flag; nothing written */
};

/* Metadata value types (the GGUF spec's numbering). */
enum tern_gguf_vtype {
	TERN_GGUF_U8 = 0, TERN_GGUF_I8 = 1, TERN_GGUF_U16 = 2, TERN_GGUF_I16 = 3,
	TERN_GGUF_U32 = 4, TERN_GGUF_I32 = 5, TERN_GGUF_F32 = 6, TERN_GGUF_BOOL = 7,
	TERN_GGUF_STR = 8, TERN_GGUF_ARR = 9, TERN_GGUF_U64 = 10, TERN_GGUF_I64 = 11,
	TERN_GGUF_F64 = 12,
	TERN_GGUF_NVTYPES
};

/* Tensor types tern decodes or writes (ggml ids; I2_S is bitnet.cpp's id). */
enum tern_ggml_type {
	TERN_GGML_F32   = 0,
	TERN_GGML_F16   = 1,
	TERN_GGML_BF16  = 30,
	TERN_GGML_TQ1_0 = 34,
	TERN_GGML_TQ2_0 = 35,
	TERN_GGML_I2_S  = 36,
};

enum tern_gguf_origin {
	TERN_GGUF_ORIGIN_UPSTREAM  = 0, /* llama.cpp / ggml conventions */
	TERN_GGUF_ORIGIN_BITNET_CPP = 1, /* microsoft/BitNet's llama.cpp fork */
};

#define TERN_GGUF_MAX_DIMS     4
#define TERN_GGUF_MAX_NAME     63    /* tensor name bytes (ggml's GGML_MAX_NAME - 1) */
#define TERN_GGUF_MAX_KEY      65535
#define TERN_GGUF_DEFAULT_ALIGN 32

/* An array value: n elements of type, raw little-endian bytes at data. */
struct tern_gguf_arr {
	uint32_t type;          /* enum tern_gguf_vtype, never ARR */
	uint64_t n;
	const uint8_t *data;    /* numeric/bool elements; for strings use tern_gguf_arr_str */
	const uint64_t *str_off; /* strings: offset of element i's length field from data */
};

struct tern_gguf_kv {
	const char *key;        /* NUL-terminated copy */
	uint32_t type;          /* enum tern_gguf_vtype */
	const uint8_t *val;     /* scalar: its bytes in the file */
	const char *str;        /* STR: NUL-terminated copy (may hold inner NULs) */
	uint64_t str_len;
	struct tern_gguf_arr arr; /* ARR */
};

struct tern_gguf_tensor {
	const char *name;
	uint32_t type;          /* ggml id; see enum tern_ggml_type */
	uint32_t n_dims;        /* 1..4 */
	uint64_t ne[TERN_GGUF_MAX_DIMS]; /* ne[0] is the contiguous row; unused dims are 1 */
	uint64_t n_elem;
	uint64_t offset;        /* from the start of the data section */
	uint64_t size;          /* bytes */
	const uint8_t *data;
};

struct tern_gguf;

/* Reader. open maps the file read-only (it must not be truncated while open);
 * open_mem copies buf, so the caller's buffer may go away. */
int tern_gguf_open(const char *path, struct tern_gguf **out, char *err, size_t errlen);
int tern_gguf_open_mem(const void *buf, size_t len, struct tern_gguf **out,
		       char *err, size_t errlen);
void tern_gguf_close(struct tern_gguf *g);
/* Drop this process's mapped pages lying wholly below p + len, from the page holding
 * p on (a no-op for open_mem). The bytes stay readable (a later read maps them again
 * from the page cache); this only keeps a model whose tensors were copied into
 * resident forms from also counting the file's pages in its RSS. */
void tern_gguf_release(const struct tern_gguf *g, const void *p, size_t len);

uint32_t tern_gguf_version(const struct tern_gguf *g);
uint32_t tern_gguf_alignment(const struct tern_gguf *g);
uint64_t tern_gguf_data_offset(const struct tern_gguf *g);
enum tern_gguf_origin tern_gguf_origin(const struct tern_gguf *g);
const char *tern_gguf_origin_name(enum tern_gguf_origin o);

uint64_t tern_gguf_n_kv(const struct tern_gguf *g);
const struct tern_gguf_kv *tern_gguf_kv_at(const struct tern_gguf *g, uint64_t i);
const struct tern_gguf_kv *tern_gguf_find_key(const struct tern_gguf *g, const char *key);

/* Typed getters: 0, ENOTFOUND, ETYPE (wrong kind) or ERANGE (does not fit).
 * Integer getters accept every integer type whose value fits; get_f32/get_f64 accept
 * F32 and F64; get_str returns the NUL-terminated copy and its length (len may be NULL). */
int tern_gguf_get_u32(const struct tern_gguf *g, const char *key, uint32_t *v);
int tern_gguf_get_i32(const struct tern_gguf *g, const char *key, int32_t *v);
int tern_gguf_get_u64(const struct tern_gguf *g, const char *key, uint64_t *v);
int tern_gguf_get_i64(const struct tern_gguf *g, const char *key, int64_t *v);
int tern_gguf_get_f32(const struct tern_gguf *g, const char *key, float *v);
int tern_gguf_get_f64(const struct tern_gguf *g, const char *key, double *v);
int tern_gguf_get_bool(const struct tern_gguf *g, const char *key, int *v);
int tern_gguf_get_str(const struct tern_gguf *g, const char *key, const char **s,
		      uint64_t *len);
int tern_gguf_get_arr(const struct tern_gguf *g, const char *key,
		      const struct tern_gguf_arr **a);
/* Array elements (index checked): integers/bools as int64 or uint64, floats as
 * double, strings as pointer + length into the file (not NUL-terminated). */
int tern_gguf_arr_i64(const struct tern_gguf_arr *a, uint64_t i, int64_t *v);
int tern_gguf_arr_u64(const struct tern_gguf_arr *a, uint64_t i, uint64_t *v);
int tern_gguf_arr_f64(const struct tern_gguf_arr *a, uint64_t i, double *v);
int tern_gguf_arr_str(const struct tern_gguf_arr *a, uint64_t i, const char **s,
		      uint64_t *len);

uint64_t tern_gguf_n_tensors(const struct tern_gguf *g);
const struct tern_gguf_tensor *tern_gguf_tensor_at(const struct tern_gguf *g, uint64_t i);
const struct tern_gguf_tensor *tern_gguf_find_tensor(const struct tern_gguf *g,
						     const char *name);
/* Name of a ggml type id as this file reads it ("tq2_0", "i2_s", ...). */
const char *tern_gguf_type_name(const struct tern_gguf *g, uint32_t type);

/* Decode a TQ1_0 / TQ2_0 / I2_S tensor into n_elem int8 weights in {-1, 0, 1}
 * (row-major, ne[0] fastest) and its one per-tensor scale. TQ blocks whose weights are
 * not all zero must share one fp16 d bit for bit, otherwise ESCALE. */
int tern_gguf_tensor_ternary(const struct tern_gguf *g, const struct tern_gguf_tensor *t,
			     int8_t *dst, float *scale, char *err, size_t errlen);
/* Decode an F32 / F16 / BF16 tensor into n_elem floats. */
int tern_gguf_tensor_f32(const struct tern_gguf *g, const struct tern_gguf_tensor *t,
			 float *dst, char *err, size_t errlen);

/* Writer. */
struct tern_gguf_writer;

struct tern_gguf_writer *tern_gguf_writer_new(void);
void tern_gguf_writer_free(struct tern_gguf_writer *w);
/* Sets general.alignment (u32, a power of two); the layout uses it. */
int tern_gguf_writer_set_alignment(struct tern_gguf_writer *w, uint32_t align);

int tern_gguf_add_u8(struct tern_gguf_writer *w, const char *key, uint8_t v);
int tern_gguf_add_i8(struct tern_gguf_writer *w, const char *key, int8_t v);
int tern_gguf_add_u16(struct tern_gguf_writer *w, const char *key, uint16_t v);
int tern_gguf_add_i16(struct tern_gguf_writer *w, const char *key, int16_t v);
int tern_gguf_add_u32(struct tern_gguf_writer *w, const char *key, uint32_t v);
int tern_gguf_add_i32(struct tern_gguf_writer *w, const char *key, int32_t v);
int tern_gguf_add_u64(struct tern_gguf_writer *w, const char *key, uint64_t v);
int tern_gguf_add_i64(struct tern_gguf_writer *w, const char *key, int64_t v);
int tern_gguf_add_f32(struct tern_gguf_writer *w, const char *key, float v);
int tern_gguf_add_f64(struct tern_gguf_writer *w, const char *key, double v);
int tern_gguf_add_bool(struct tern_gguf_writer *w, const char *key, int v);
int tern_gguf_add_str(struct tern_gguf_writer *w, const char *key, const char *s);
/* Numeric or bool array: n host-order elements of type at data (bools one byte 0/1). */
int tern_gguf_add_arr(struct tern_gguf_writer *w, const char *key, uint32_t type,
		      uint64_t n, const void *data);
int tern_gguf_add_arr_str(struct tern_gguf_writer *w, const char *key, uint64_t n,
			  const char *const *s);

/* Raw tensor bytes of any supported type (size must match the shape). */
int tern_gguf_add_tensor(struct tern_gguf_writer *w, const char *name, uint32_t type,
			 uint32_t n_dims, const uint64_t *ne, const void *data, uint64_t size);
/* Float source converted to F32, F16 or BF16. */
int tern_gguf_add_tensor_f32(struct tern_gguf_writer *w, const char *name, uint32_t type,
			     uint32_t n_dims, const uint64_t *ne, const float *src);
/* Ternary source {-1,0,1} packed as TQ1_0, TQ2_0 (every block's d = fp16(scale)) or
 * I2_S (f32 scale). */
int tern_gguf_add_tensor_ternary(struct tern_gguf_writer *w, const char *name,
				 uint32_t type, uint32_t n_dims, const uint64_t *ne,
				 const int8_t *src, float scale);

/*
 * Write to path: a regular file or a new path atomically (temporary file in the same
 * directory, fsync, rename); a device or pipe (e.g. /dev/null) written through in
 * place, never replaced. When *cancel becomes non-zero (e.g. a signal handler's flag;
 * tern_gguf_set_cancel) the write stops, the temporary file is removed and
 * TERN_GGUF_ECANCEL is returned.
 */
int tern_gguf_write_file(struct tern_gguf_writer *w, const char *path,
			 char *err, size_t errlen);
/* The flag tern_gguf_write_file polls (NULL: none). Process-wide; set it once at start. */
void tern_gguf_set_cancel(volatile const sig_atomic_t *cancel);
/* Build the file image in memory; *buf is malloc'd, the caller frees it. */
int tern_gguf_write_mem(struct tern_gguf_writer *w, uint8_t **buf, size_t *len,
			char *err, size_t errlen);

/* Shared by reader and writer: block size and bytes per block of a type id for a
 * given origin, 0 when unknown. I2_S is sized by tern_i2s_bytes instead. */
int tern_gguf_type_layout(uint32_t type, enum tern_gguf_origin o, uint32_t *blck,
			  uint32_t *bytes, const char **name);

#endif /* TERN_GGUF_H */
