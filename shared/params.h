/*
 * params.h - the PARAM table row (internal to the reader: params.c,
 * conf.c, conf_types.c, conf_diff.c, conf_unbuilt.c and pctx.c).
 * Users of the configuration read struct conf (conf.h); the table is
 * listed for tests and docs through conf_param_count()/conf_param_info().
 */
#ifndef SMTPD_PARAMS_H
#define SMTPD_PARAMS_H

#include <stddef.h>

enum ptype {
	PT_INT,       /* int in [min, max] */
	PT_LONG,      /* long in [min, max] */
	PT_OCTAL,     /* int in [min, max], written in octal */
	PT_SET,       /* no argument: int field := 1 */
	PT_CLR,       /* no argument: int field := 0 (the NoX forms) */
	PT_BOOL,      /* [yes|no|on|off|true|false|1|0], none = yes */
	PT_STR,       /* one word (quotes allowed) */
	PT_PATH,      /* one word, a file name */
	PT_HOST,      /* one word, a host name or [address] */
	PT_FLAGSTR,   /* string: its argument, or "yes" without one */
	PT_CHOICE,    /* string, one of choices */
	PT_ENUM,      /* int: index of the argument in choices */
	PT_RAW,       /* raw rest of the line (quotes kept, no $) */
	PT_RAWLIST,   /* raw rest of the line, appended; max entries */
	PT_TARPIT,    /* init [exp [top]] into three doubles */
	PT_BINDADDR,  /* BindAddress addr: a bind of kind min */
	PT_BIND,      /* BindSmtp* addr [port]: a bind of kind min */
	PT_TRIPLE,    /* a b c appended to a triple list; max entries */
	PT_CLUSTER,   /* a URL into string off3, or a b c as PT_TRIPLE */
	PT_SERVICE,   /* name unix:/path|inet:host:port into a triple list */
	PT_POLICYDB,  /* type path into two strings */
	PT_DELIVERBY, /* [n]: int field := 1, long off2 := n */
	PT_NETS,      /* up to PROXY_MAX_NETS networks, one string */
	PT_NEWGROUP,  /* name: starts a group */
	PT_MILTER,    /* name unix:path|inet:host:port, appended; max */
	PT_NTYPES
};

#define P_GLOBAL 0x01     /* field of struct conf */
#define P_GROUP 0x02      /* field of struct conf_group */
#define P_NORELOAD 0x04   /* needs a restart to take effect */
#define P_DEPRECATED 0x08 /* accepted with a warning */
#define P_CLAMP 0x10      /* below min: ZMailer raises it, we warn */
#define P_OURS 0x20       /* not in ZMailer */
/* Parsed, not implemented: set to other than its default it is listed by
 * conf_unbuilt() (a warning at start and reload, -K exits 2).  Drop the
 * flag from the row when the feature is built. */
#define P_UNIMPL 0x40
#define P_MAXALIAS 3

struct param {
	const char *name;
	const char *alias[P_MAXALIAS + 1]; /* NULL-terminated */
	enum ptype type;
	const char *def;     /* default as PARAM text; NULL = none */
	long min, max;       /* range; list types: max = entries */
	unsigned flags;      /* P_* */
	size_t off;          /* offsetof the field */
	size_t off2, off3;   /* second/third field (count, exp, top...) */
	const char *choices; /* PT_CHOICE, PT_ENUM: "a|b|c" */
	/* PT_TRIPLE: checks a line's words, 0 or -1 with the reason */
	int (*check)(char **av, char *err, size_t errlen);
};

extern const struct param conf_params[];
extern const size_t conf_nparams;

/* Row for name or alias (case-insensitive), or NULL. */
const struct param *param_find(const char *name);
const char *param_type_name(enum ptype);

struct conf;

/* Parse state shared by conf.c (the reader) and conf_types.c (setters). */
struct pctx {
	const char *path;
	int line;
	struct conf *conf;
	size_t gi;           /* index of the current group */
	int defaults;        /* applying the table defaults, not a file */
	unsigned char *seen; /* per row: seen in the file (lists reset) */
	char *err;
	size_t errlen;
	void (*warn)(void *, const char *);
	void *warn_arg;
};

/* "path:line: " + text into err (errors) or to warn (warnings); pctx.c. */
void pctx_error(struct pctx *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pctx_warn(struct pctx *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Argument count accepted by a type: -1 for the raw types. */
int param_args(const struct param *, int *amin, int *amax);
const char *param_usage(const struct param *);
/* Store av[0..ac) (or raw, for PT_RAW*) into the row's field(s). */
int param_set(
    struct pctx *, const struct param *, char **av, int ac, const char *raw);
/* Free what the row owns in base (fields left NULL/0: rows may share). */
void param_free(void *base, const struct param *);
/* Deep-copy what the row owns in base after a struct copy; -1 on ENOMEM. */
int param_dup(void *base, const struct param *);
/* Write "name = value" line(s) for the row. */
void param_dump(const void *base, const struct param *,
    void (*out)(void *, const char *), void *arg);

#endif
