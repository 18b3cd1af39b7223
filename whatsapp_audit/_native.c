/* Optional C accelerator for the parser's hot loop and for `parse --format jsonl`'s records.
 *
 * The pure-Python code stays the reference and the fallback (docs/native.md):
 *   - `Scanner` does what `ingest.parser.iter_messages` does for the common header styles (Android,
 *     iOS and legacy iOS headers with a 24-hour, "AM/PM" or "a.m." clock); the Python side decides
 *     when it applies and builds one only then. Every message that is not plain text (system events,
 *     media, deleted, edited, quoted names, ...) is classified by calling the Python functions
 *     themselves (`split_author`, `classify`), so the vocabulary stays data read by one code.
 *   - `encode_jsonl` writes the records of `report.messages.message_record` as orjson would, and
 *     returns None for anything it does not handle exactly (the caller then uses the Python path).
 *
 * The header matcher below mirrors `shapes.strict_regex` for those styles character by character:
 * invisible marks wherever the regex allows `[MARKS]*`, any Unicode decimal digit where it has `\d`
 * (as Python's `re` does for text), the same spaces. tests/test_native.py holds both paths to the
 * same messages, stats and output on generated exports of every variant.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <structmember.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Character classes (shapes.py: MARKS, _S)                                                         */

static inline int is_mark(Py_UCS4 c) {
    switch (c) {
    case 0x200e: case 0x200f: case 0x202a: case 0x202b: case 0x202c: case 0x202d: case 0x202e:
    case 0x2066: case 0x2067: case 0x2068: case 0x2069: case 0x200b: case 0xfeff: case 0x061c:
        return 1;
    default:
        return 0;
    }
}

static inline int is_space(Py_UCS4 c) { return c == ' ' || c == 0xa0 || c == 0x202f || c == 0x2009; }

/* body.py: _WS_AND_MARKS = MARKS + " \t\u00a0\u202f" */
static inline int is_ws_or_mark(Py_UCS4 c) {
    return c == ' ' || c == '\t' || c == 0xa0 || c == 0x202f || is_mark(c);
}

/* ------------------------------------------------------------------------------------------------ */
/* Header matcher                                                                                   */

enum { SHAPE_ANDROID = 0, SHAPE_IOS = 1, SHAPE_IOS_LEGACY = 2 };
enum { CLOCK_24H = 0, CLOCK_AMPM = 1, CLOCK_AM_DOT = 2 };

typedef struct {
    int shape, clock, year_first, year_digits, seconds;
    Py_UCS4 date_sep, time_sep;
} Style;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

typedef struct {
    int d[3], h, mi, s;  /* date numbers as written, hour, minute, second (-1: none) */
    int pm;              /* -1: no 12-hour marker, 0: AM, 1: PM */
    Py_ssize_t rest;     /* index where the rest of the line starts */
} Header;

#define AT(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

static inline Py_ssize_t skip_marks(const Text *t, Py_ssize_t i, Py_ssize_t end) {
    while (i < end && is_mark(AT(t, i))) i++;
    return i;
}

static inline Py_ssize_t skip_spaces(const Text *t, Py_ssize_t i, Py_ssize_t end) {
    while (i < end && is_space(AT(t, i))) i++;
    return i;
}

/* `\d{lo,hi}` taken greedily (what follows a number in a header is never a digit, so greedy is
 * what the regex's backtracking ends with). Returns the new index or -1. */
static inline Py_ssize_t digits(const Text *t, Py_ssize_t i, Py_ssize_t end, int lo, int hi, int *value) {
    int count = 0, v = 0;
    while (count < hi && i < end) {
        Py_UCS4 c = AT(t, i);
        int d = c < 128 ? (c >= '0' && c <= '9' ? (int)(c - '0') : -1) : Py_UNICODE_TODECIMAL(c);
        if (d < 0) break;
        v = v * 10 + d;
        i++;
        count++;
    }
    if (count < lo) return -1;
    *value = v;
    return i;
}

/* Match a header at `i` (a line start); `end` is the end of the line. 1 on a match. */
static int match_header(const Style *st, const Text *t, Py_ssize_t i, Py_ssize_t end, Header *h) {
    Py_UCS4 c;
    i = skip_marks(t, i, end);
    if (st->shape == SHAPE_IOS) {
        if (i >= end || AT(t, i) != '[') return 0;
        i = skip_marks(t, i + 1, end);
    }
    /* date: d1 _M sep _M d2 _M sep _M d3 _M */
    int lo1 = st->year_first ? st->year_digits : 1, hi1 = st->year_first ? st->year_digits : 2;
    int lo3 = st->year_first ? 1 : st->year_digits, hi3 = st->year_first ? 2 : st->year_digits;
    if ((i = digits(t, i, end, lo1, hi1, &h->d[0])) < 0) return 0;
    i = skip_marks(t, i, end);
    if (i >= end || AT(t, i) != st->date_sep) return 0;
    i = skip_marks(t, i + 1, end);
    if ((i = digits(t, i, end, 1, 2, &h->d[1])) < 0) return 0;
    i = skip_marks(t, i, end);
    if (i >= end || AT(t, i) != st->date_sep) return 0;
    i = skip_marks(t, i + 1, end);
    if ((i = digits(t, i, end, lo3, hi3, &h->d[2])) < 0) return 0;
    i = skip_marks(t, i, end);
    /* _DT_SEP: [,،]_S*(?:klo_S+)? | _S+(?:(?:à|klo)_S+)? */
    if (i >= end) return 0;
    c = AT(t, i);
    if (c == ',' || c == 0x060c) {
        i = skip_spaces(t, i + 1, end);
        if (i + 3 < end && AT(t, i) == 'k' && AT(t, i + 1) == 'l' && AT(t, i + 2) == 'o' && is_space(AT(t, i + 3)))
            i = skip_spaces(t, i + 3, end);
    } else if (is_space(c)) {
        i = skip_spaces(t, i + 1, end);
        if (i + 1 < end && AT(t, i) == 0xe0 && is_space(AT(t, i + 1)))
            i = skip_spaces(t, i + 1, end);
        else if (i + 3 < end && AT(t, i) == 'k' && AT(t, i + 1) == 'l' && AT(t, i + 2) == 'o' && is_space(AT(t, i + 3)))
            i = skip_spaces(t, i + 3, end);
    } else {
        return 0;
    }
    /* time: h ts mi [ts s] [ampm] _M */
    if ((i = digits(t, i, end, 1, 2, &h->h)) < 0) return 0;
    if (i >= end || AT(t, i) != st->time_sep) return 0;
    if ((i = digits(t, i + 1, end, 2, 2, &h->mi)) < 0) return 0;
    h->s = -1;
    if (st->seconds) {
        if (i >= end || AT(t, i) != st->time_sep) return 0;
        if ((i = digits(t, i + 1, end, 2, 2, &h->s)) < 0) return 0;
    }
    h->pm = -1;
    if (st->clock != CLOCK_24H) {
        i = skip_spaces(t, i, end);
        if (i >= end) return 0;
        c = AT(t, i);
        if (c != 'A' && c != 'a' && c != 'P' && c != 'p') return 0;
        h->pm = (c == 'P' || c == 'p');
        i++;
        if (st->clock == CLOCK_AMPM) {
            if (i >= end || (AT(t, i) != 'M' && AT(t, i) != 'm')) return 0;
            i++;
        } else { /* [AaPp]\._S?[Mm]\.? */
            if (i >= end || AT(t, i) != '.') return 0;
            i++;
            if (i < end && is_space(AT(t, i))) i++;
            if (i >= end || (AT(t, i) != 'M' && AT(t, i) != 'm')) return 0;
            i++;
            if (i < end && AT(t, i) == '.') i++;
        }
    }
    i = skip_marks(t, i, end);
    switch (st->shape) {
    case SHAPE_ANDROID: /* _S*[-–]_S */
        i = skip_spaces(t, i, end);
        if (i >= end || (AT(t, i) != '-' && AT(t, i) != 0x2013)) return 0;
        i++;
        if (i >= end || !is_space(AT(t, i))) return 0;
        i++;
        break;
    case SHAPE_IOS: /* \]_S? */
        if (i >= end || AT(t, i) != ']') return 0;
        i++;
        if (i < end && is_space(AT(t, i))) i++;
        break;
    default: /* :_S */
        if (i >= end || AT(t, i) != ':') return 0;
        i++;
        if (i >= end || !is_space(AT(t, i))) return 0;
        i++;
    }
    h->rest = i;
    return 1;
}

/* ------------------------------------------------------------------------------------------------ */
/* Scanner: the state of `iter_messages` across blocks                                             */

typedef struct {
    char *data;
    size_t length, capacity;
    PyObject *bytes;  /* when set, `data` is this bytes object's buffer (feed_jsonl's records: no copy at the end) */
} Buffer;

/* feed_jsonl's memory of an author seen lately: the name, its JSON and its counts in waiting. */
typedef struct {
    PyObject *author;   /* the name (NULL: an empty slot) */
    Buffer json;        /* the name as a JSON string, then ,"author_display":...,"author_shown_as":... */
    size_t split;       /* where the second part starts */
    long long pending;  /* counted messages not yet added to `authors` */
    int in_authors;     /* the name is a key of `authors` */
    unsigned long long used;  /* when it was last asked for (Scanner.author_clock) */
} AuthorSlot;

/* Two ways a set: a name goes to the set of its hash, into the way asked for longest ago. One way
 * in 64 slots left 4 pairs of the 18 names of the 1M bench sharing a slot and evicting each other,
 * a quarter of its messages rebuilding their author's JSON. */
#define AUTHOR_SLOTS 256

enum { ORDER_DMY = 0, ORDER_MDY = 1, ORDER_YMD = 2 };

/* parser._prefix_table: flags of the 1- and 2-character prefixes (PREFIX_ALLOWED, PREFIX_OPEN), then
 * for each 2-character prefix 128 bits, one per third character. */
#define PREFIX_ALLOWED 1
#define PREFIX_OPEN 2
#define PREFIX_TABLE_SIZE (128 + 128 * 128 + 128 * 128 * 16)


typedef struct {
    PyObject_HEAD
    Style style;
    int order;
    long long lo, hi;  /* counted lines: lo <= line < hi */
    /* Python helpers and targets (owned references) */
    PyObject *message_cls, *shape_name, *vocabulary, *split_author, *classify, *special_match, *whole_body,
        *omitted_last_words, *header_like, *unparsed_cls, *kinds, *authors, *unrecognised, *unparsed,
        *kind_text, *kind_system, *before_first, *impossible, *empty;
    /* the open message: p_line 0 = nothing open; p_timestamp NULL = an unparsed region */
    long long p_line;
    PyObject *p_header, *p_timestamp, *p_rest, *p_reason, *p_more;
    PyObject *last_header, *last_timestamp; /* last_timestamp Py_None: impossible */
    long long line_no, index;
    /* counts (ParseStats through _Assembler.flush) */
    long long message_lines, system_lines, unparsed_lines, backward, header_like_count, impossible_count;
    PyObject *opening, *closing, *first, *last;
    /* fast Message construction: slot offsets of Message's fields, or -1 */
    Py_ssize_t offsets[12];
    /* the lower-case ASCII prefixes (up to 3 characters) special_start's matches can open with, as
     * parser._prefix_table lays them out (bytes, or NULL: no gate); see openings.may_open_prefixes */
    PyObject *prefix_table;
    /* the last characters of omitted_last_words (ASCII), and whether one is not ASCII (or empty) */
    char word_ends[128];
    int word_ends_other;
    /* whole_body's ASCII keys by their first character (tuples, or NULL) */
    PyObject *body_by_first[128];
    /* feed_jsonl: while the open message lies in the block being read (p_in_block), its text is kept
     * as positions in that block, not as objects: the header line's rest [p_rest_start, p_rest_end),
     * continuation lines up to p_text_end (p_rest and p_more are then NULL) */
    int p_in_block;
    Py_ssize_t p_rest_start, p_rest_end, p_text_end;
    int text_counted;         /* kind_text is a key of `kinds` */
    long long pending_text;   /* plain-text messages counted, not yet added to `kinds` */
    AuthorSlot slots[AUTHOR_SLOTS];
    unsigned long long author_clock;
    PyObject *json_header_of; /* the header whose JSON string json_header holds */
    Buffer json_header;
    PyObject *json_time_of;   /* the timestamp whose JSON string json_time holds */
    Buffer json_time;
    /* media_vocabulary (the attached-file form, see attached_file): NULL until it is given */
    PyObject *file_attached;  /* tuple of str: vocabulary.file_attached, in order */
    PyObject *name_words;     /* tuple of str: "-WORD-" of vocabulary.ios_name_types, in order */
    PyObject *name_types;     /* tuple: their MediaType members */
    PyObject *extension_types, *media_document, *media_unknown, *kind_media, *attachment_cls;
} Scanner;

/* The records being written by one feed_jsonl call (defined with the JSON writer below). */
typedef struct Direct Direct;
static int close_direct(Scanner *self, long long end_line, Direct *d);
static PyTypeObject ScannerType;

static PyObject *str_casefold, *colon_space, *s_lower;

static void Scanner_clear_state(Scanner *self) {
    Py_CLEAR(self->p_header);
    Py_CLEAR(self->p_timestamp);
    Py_CLEAR(self->p_rest);
    Py_CLEAR(self->p_reason);
    Py_CLEAR(self->p_more);
    self->p_in_block = 0;
}

static int Scanner_traverse(Scanner *self, visitproc visit, void *arg) {
    Py_VISIT(self->message_cls); Py_VISIT(self->vocabulary); Py_VISIT(self->split_author);
    Py_VISIT(self->classify); Py_VISIT(self->special_match); Py_VISIT(self->whole_body);
    Py_VISIT(self->header_like); Py_VISIT(self->unparsed_cls); Py_VISIT(self->kinds); Py_VISIT(self->authors);
    Py_VISIT(self->unrecognised); Py_VISIT(self->unparsed); Py_VISIT(self->p_more);
    Py_VISIT(self->extension_types); Py_VISIT(self->attachment_cls);
    return 0;
}

static int Scanner_clear(Scanner *self) {
    Py_CLEAR(self->message_cls); Py_CLEAR(self->shape_name); Py_CLEAR(self->vocabulary);
    Py_CLEAR(self->split_author); Py_CLEAR(self->classify); Py_CLEAR(self->special_match);
    Py_CLEAR(self->whole_body); Py_CLEAR(self->omitted_last_words); Py_CLEAR(self->header_like);
    Py_CLEAR(self->unparsed_cls); Py_CLEAR(self->kinds); Py_CLEAR(self->authors);
    Py_CLEAR(self->unrecognised); Py_CLEAR(self->unparsed); Py_CLEAR(self->kind_text);
    Py_CLEAR(self->kind_system); Py_CLEAR(self->before_first); Py_CLEAR(self->impossible);
    Py_CLEAR(self->empty);
    Py_CLEAR(self->prefix_table);
    for (int k = 0; k < 128; k++) Py_CLEAR(self->body_by_first[k]);
    for (int k = 0; k < AUTHOR_SLOTS; k++) {  /* (their counts were added by the feed_jsonl that made them) */
        Py_CLEAR(self->slots[k].author);
        PyMem_Free(self->slots[k].json.data);
        self->slots[k].json = (Buffer){NULL, 0, 0};
    }
    Py_CLEAR(self->json_header_of);
    PyMem_Free(self->json_header.data);
    self->json_header = (Buffer){NULL, 0, 0};
    Py_CLEAR(self->json_time_of);
    PyMem_Free(self->json_time.data);
    self->json_time = (Buffer){NULL, 0, 0};
    Py_CLEAR(self->file_attached); Py_CLEAR(self->name_words); Py_CLEAR(self->name_types);
    Py_CLEAR(self->extension_types); Py_CLEAR(self->media_document); Py_CLEAR(self->media_unknown);
    Py_CLEAR(self->kind_media); Py_CLEAR(self->attachment_cls);
    Scanner_clear_state(self);
    Py_CLEAR(self->last_header); Py_CLEAR(self->last_timestamp);
    Py_CLEAR(self->opening); Py_CLEAR(self->closing); Py_CLEAR(self->first); Py_CLEAR(self->last);
    return 0;
}

static void Scanner_dealloc(Scanner *self) {
    PyObject_GC_UnTrack(self);
    Scanner_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static const char *FIELDS[12] = {"index", "line", "end_line", "timestamp", "header", "author", "text", "kind",
                                 "attachments", "system_prefix", "edited", "system_recognised"};

/* Slot offsets of a slots dataclass's fields, so that a Message is built as its generated
 * __init__ builds it (every field set, nothing else) without running Python bytecode.
 * All -1 when the class is not exactly that (then the class is called). */
static void find_offsets(PyObject *cls, Py_ssize_t *offsets, int count) {
    PyTypeObject *type = (PyTypeObject *)cls;
    int ok = PyType_Check(cls) && type->tp_dictoffset == 0 && type->tp_new == PyBaseObject_Type.tp_new;
    PyObject *post = ok ? PyObject_GetAttrString(cls, "__post_init__") : NULL;
    if (post != NULL) { ok = 0; Py_DECREF(post); }
    PyErr_Clear();
    for (int k = 0; k < count; k++) {
        offsets[k] = -1;
        if (!ok) continue;
        PyObject *descr = PyDict_GetItemString(type->tp_dict, FIELDS[k]);
        if (descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type) { ok = 0; continue; }
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY)) { ok = 0; continue; }
        offsets[k] = member->offset;
    }
    if (!ok)
        for (int k = 0; k < count; k++) offsets[k] = -1;
}

static PyObject *Scanner_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"message_cls", "shape", "style", "order", "counted", "vocabulary", "split_author",
                             "classify", "special_match", "special_openings", "whole_body", "omitted_last_words", "header_like",
                             "unparsed_cls", "kinds", "authors", "unrecognised", "unparsed", "kind_text",
                             "kind_system", "before_first", "impossible", "line_offset", NULL};
    PyObject *message_cls, *shape, *vocabulary, *split_author, *classify, *special_match, *openings, *whole_body,
        *omitted_last_words, *header_like, *unparsed_cls, *kinds, *authors, *unrecognised, *unparsed, *kind_text,
        *kind_system, *before_first, *impossible;
    const char *order;
    int clock, year_first, year_digits, seconds;
    Py_UCS4 date_sep, time_sep;
    PyObject *date_sep_obj, *time_sep_obj;
    long long lo, hi, line_offset;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OU(UpipUi)s(LL)OOOOOO!O!OOO!O!O!O!OOUUL", kwlist, &message_cls,
                                     &shape, &date_sep_obj, &year_first, &year_digits, &seconds, &time_sep_obj,
                                     &clock, &order, &lo, &hi, &vocabulary, &split_author, &classify, &special_match, &openings,
                                     &PyDict_Type, &whole_body, &PyTuple_Type, &omitted_last_words, &header_like,
                                     &unparsed_cls, &PyDict_Type, &kinds, &PyDict_Type, &authors, &PyList_Type,
                                     &unrecognised, &PyList_Type, &unparsed, &kind_text, &kind_system, &before_first,
                                     &impossible, &line_offset))
        return NULL;
    if (PyUnicode_GET_LENGTH(date_sep_obj) != 1 || PyUnicode_GET_LENGTH(time_sep_obj) != 1) {
        PyErr_SetString(PyExc_ValueError, "separators must be one character");
        return NULL;
    }
    date_sep = PyUnicode_READ_CHAR(date_sep_obj, 0);
    time_sep = PyUnicode_READ_CHAR(time_sep_obj, 0);
    int shape_code;
    if (PyUnicode_CompareWithASCIIString(shape, "android") == 0) shape_code = SHAPE_ANDROID;
    else if (PyUnicode_CompareWithASCIIString(shape, "ios") == 0) shape_code = SHAPE_IOS;
    else if (PyUnicode_CompareWithASCIIString(shape, "ios-legacy") == 0) shape_code = SHAPE_IOS_LEGACY;
    else { PyErr_SetString(PyExc_ValueError, "unsupported shape"); return NULL; }
    if (clock < CLOCK_24H || clock > CLOCK_AM_DOT) { PyErr_SetString(PyExc_ValueError, "unsupported clock"); return NULL; }
    int order_code;
    if (strcmp(order, "dmy") == 0) order_code = ORDER_DMY;
    else if (strcmp(order, "mdy") == 0) order_code = ORDER_MDY;
    else if (strcmp(order, "ymd") == 0) order_code = ORDER_YMD;
    else { PyErr_SetString(PyExc_ValueError, "unsupported date order"); return NULL; }
    if (year_digits < 1 || year_digits > 4) { PyErr_SetString(PyExc_ValueError, "unsupported year digits"); return NULL; }

    Scanner *self = (Scanner *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->style = (Style){shape_code, clock, year_first, year_digits, seconds, date_sep, time_sep};
    self->order = order_code;
    self->lo = lo;
    self->hi = hi;
    self->line_no = line_offset;
#define KEEP(field) (Py_INCREF(field), self->field = field)
    KEEP(message_cls); KEEP(vocabulary); KEEP(split_author); KEEP(classify); KEEP(special_match);
    KEEP(whole_body); KEEP(omitted_last_words); KEEP(header_like); KEEP(unparsed_cls); KEEP(kinds); KEEP(authors);
    KEEP(unrecognised); KEEP(unparsed); KEEP(kind_text); KEEP(kind_system); KEEP(before_first); KEEP(impossible);
#undef KEEP
    Py_INCREF(shape);
    self->shape_name = shape;
    self->empty = PyUnicode_New(0, 0);
    if (self->empty == NULL) { Py_DECREF(self); return NULL; }
    find_offsets(message_cls, self->offsets, 12);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(omitted_last_words); k++) {
        PyObject *word = PyTuple_GET_ITEM(omitted_last_words, k);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "omitted_last_words must hold str");
            Py_DECREF(self);
            return NULL;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(word);
        Py_UCS4 end = length ? PyUnicode_READ_CHAR(word, length - 1) : 0;
        if (length == 0 || end >= 128) self->word_ends_other = 1;
        else self->word_ends[end] = 1;
    }
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(whole_body, &position, &key, &value)) {
        /* a key that is not ASCII never equals an ASCII line's casefold (plain_line) */
        if (!PyUnicode_Check(key) || !PyUnicode_IS_ASCII(key) || PyUnicode_GET_LENGTH(key) == 0) continue;
        Py_UCS1 first = PyUnicode_1BYTE_DATA(key)[0];
        PyObject *bucket = self->body_by_first[first];
        Py_ssize_t size = bucket != NULL ? PyTuple_GET_SIZE(bucket) : 0;
        PyObject *grown = PyTuple_New(size + 1);
        if (grown == NULL) { Py_DECREF(self); return NULL; }
        for (Py_ssize_t k = 0; k < size; k++) PyTuple_SET_ITEM(grown, k, Py_NewRef(PyTuple_GET_ITEM(bucket, k)));
        PyTuple_SET_ITEM(grown, size, Py_NewRef(key));
        Py_XSETREF(self->body_by_first[first], grown);
    }
    if (openings != Py_None) {
        if (!PyBytes_Check(openings) || PyBytes_GET_SIZE(openings) != PREFIX_TABLE_SIZE) {
            PyErr_SetString(PyExc_ValueError, "special_openings must be a prefix table (parser._prefix_table) or None");
            Py_DECREF(self);
            return NULL;
        }
        self->prefix_table = Py_NewRef(openings);
    }
    return (PyObject *)self;
}

/* The header's timestamp (shapes.Timestamper.of_parts), or a new reference to None when the
 * date or time is impossible. */
static PyObject *timestamp_of(Scanner *self, const Header *h) {
    int a = h->d[0], b = h->d[1], c = h->d[2], year, month, day;
    if (self->order == ORDER_YMD) { year = a; month = b; day = c; }
    else if (self->order == ORDER_MDY) { month = a; day = b; year = c; }
    else { day = a; month = b; year = c; }
    if (year < 100) year += 2000;
    int hour = h->h;
    if (h->pm >= 0) hour = hour % 12 + (h->pm ? 12 : 0);
    PyObject *moment = PyDateTime_FromDateAndTime(year, month, day, hour, h->mi, h->s < 0 ? 0 : h->s, 0);
    if (moment == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)) return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return moment;
}

static int counted(Scanner *self, long long line) { return self->lo <= line && line < self->hi; }

/* counter[key] += count (a Counter: a missing key counts 0). */
static int add_count(PyObject *counter, PyObject *key, long long count) {
    PyObject *old = PyDict_GetItemWithError(counter, key);
    long long value = 0;
    if (old == NULL) {
        if (PyErr_Occurred()) return -1;
    } else {
        value = PyLong_AsLongLong(old);
        if (value == -1 && PyErr_Occurred()) return -1;
    }
    PyObject *now = PyLong_FromLongLong(value + count);
    if (now == NULL) return -1;
    int result = PyDict_SetItem(counter, key, now);
    Py_DECREF(now);
    return result;
}

static int count_in(PyObject *counter, PyObject *key) { return add_count(counter, key, 1); }

static int str_has(PyObject *s, Py_ssize_t start, Py_ssize_t end, Py_UCS4 a, Py_UCS4 b, Py_UCS4 c, Py_UCS4 d) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch == a || ch == b || ch == c || ch == d) return 1;
    }
    return 0;
}

static inline Py_UCS4 ascii_lower(Py_UCS4 c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

#define ASCII_LINE_MAX 256  /* an ASCII first line up to this long is folded on the stack */

/* openings.may_open_prefixes for the line [a, b) (a non-empty one: an empty line opens no match). */
static int may_open(const Scanner *self, const Text *t, Py_ssize_t a, Py_ssize_t b) {
    const unsigned char *table = (const unsigned char *)PyBytes_AS_STRING(self->prefix_table);
    if (b <= a) return 0;
    Py_UCS4 c0 = AT(t, a);
    if (c0 >= 128) return 1;
    c0 = ascii_lower(c0);
    if (!(table[c0] & PREFIX_ALLOWED)) return 0;
    if ((table[c0] & PREFIX_OPEN) || b - a < 2) return 1;
    Py_UCS4 c1 = AT(t, a + 1);
    if (c1 >= 128) return 1;
    size_t two = c0 * 128 + ascii_lower(c1);
    if (!(table[128 + two] & PREFIX_ALLOWED)) return 0;
    if ((table[128 + two] & PREFIX_OPEN) || b - a < 3) return 1;
    Py_UCS4 c2 = AT(t, a + 2);
    if (c2 >= 128) return 1;
    c2 = ascii_lower(c2);
    return (table[128 + 128 * 128 + two * 16 + c2 / 8] >> (c2 % 8)) & 1;
}

/* The regex's answer (special_start.match) for the trimmed first line [a, b) of `source`: 1 no
 * match (plain), 0 a match (classify decides), -1 error. */
static int no_special_start(Scanner *self, PyObject *source, Py_ssize_t a, Py_ssize_t b) {
    PyObject *first = PyUnicode_Substring(source, a, b);
    if (first == NULL) return -1;
    PyObject *special = PyObject_CallOneArg(self->special_match, first);
    Py_DECREF(first);
    if (special == NULL) return -1;
    int plain = special == Py_None;
    Py_DECREF(special);
    return plain;
}

/* What the trimmed first line [a, b) of a text says (read through `t`, the characters of `source`):
 * 1 plain text, 0 body.classify decides, -1 error. The line is folded (casefold) and looked up in
 * whole_body, its end compared with omitted_last_words, its opening with special_start's (the
 * openings gate, then the regex). An ASCII line is folded on the stack, where casefold is lower
 * case: only whole_body's ASCII keys and ASCII words can equal or end it. */
static int plain_line(Scanner *self, PyObject *source, const Text *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t n = b - a;
    char folded[ASCII_LINE_MAX];
    int ascii = n > 0 && n <= ASCII_LINE_MAX;
    for (Py_ssize_t i = 0; ascii && i < n; i++) {
        Py_UCS4 c = AT(t, a + i);
        if (c >= 128) ascii = 0;
        else folded[i] = (char)ascii_lower(c);
    }
    if (ascii) {
        PyObject *bucket = self->body_by_first[(unsigned char)folded[0]];
        for (Py_ssize_t k = 0; bucket != NULL && k < PyTuple_GET_SIZE(bucket); k++) {
            PyObject *key = PyTuple_GET_ITEM(bucket, k);
            if (PyUnicode_GET_LENGTH(key) == n && memcmp(PyUnicode_DATA(key), folded, (size_t)n) == 0) return 0;
        }
        if (self->word_ends_other || self->word_ends[(unsigned char)folded[n - 1]]) {
            for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(self->omitted_last_words); k++) {
                PyObject *word = PyTuple_GET_ITEM(self->omitted_last_words, k);
                Py_ssize_t length = PyUnicode_GET_LENGTH(word);
                if (!PyUnicode_IS_ASCII(word) || length > n) continue;  /* cannot end an ASCII line */
                if (memcmp(folded + n - length, PyUnicode_DATA(word), (size_t)length) == 0) return 0;
            }
        }
    } else {
        PyObject *first = PyUnicode_Substring(source, a, b);
        if (first == NULL) return -1;
        PyObject *folded_line = PyObject_CallMethodNoArgs(first, str_casefold);
        Py_DECREF(first);
        if (folded_line == NULL) return -1;
        int hit = PyDict_Contains(self->whole_body, folded_line);
        Py_ssize_t folded_length = PyUnicode_GET_LENGTH(folded_line);
        Py_UCS4 folded_end = folded_length ? PyUnicode_READ_CHAR(folded_line, folded_length - 1) : 0;
        int may_end = self->word_ends_other || (folded_length && (folded_end >= 128 || self->word_ends[folded_end]));
        if (hit == 0 && may_end) {
            Py_ssize_t words = PyTuple_GET_SIZE(self->omitted_last_words);
            for (Py_ssize_t k = 0; k < words && hit == 0; k++) {
                Py_ssize_t found = PyUnicode_Tailmatch(folded_line, PyTuple_GET_ITEM(self->omitted_last_words, k), 0,
                                                       PY_SSIZE_T_MAX, 1);
                hit = found < 0 ? -1 : (int)found;
            }
        }
        Py_DECREF(folded_line);
        if (hit != 0) return hit < 0 ? -1 : 0;
    }
    if (self->prefix_table != NULL && !may_open(self, t, a, b)) return 1;
    return no_special_start(self, source, a, b);
}

/* Whether an authored text, [start, stop) of `source` with its first line ending at `line_end`, is
 * plain (TEXT, no attachments, not edited) as body.classify would find: 1 yes, 0 classify decides,
 * -1 error. */
static int plain_body(Scanner *self, PyObject *source, const Text *t, Py_ssize_t start, Py_ssize_t line_end,
                      Py_ssize_t stop) {
    if (stop > start && AT(t, stop - 1) == '>') return 0;  /* may be edited */
    Py_ssize_t a = start, b = line_end;
    while (a < b && is_ws_or_mark(AT(t, a))) a++;
    while (b > a && is_ws_or_mark(AT(t, b - 1))) b--;
    if (b > a) {
        Py_UCS4 last = AT(t, b - 1);
        if (last == ')' || last == '>') return 0;
        for (Py_ssize_t i = a; i < b; i++)
            if (AT(t, i) == '<') return 0;
    }
    return plain_line(self, source, t, a, b);
}

/* ------------------------------------------------------------------------------------------------ */
/* The attached-file form of a media message (Android with media: "IMG-20220314-WA0001.jpg (file   */
/* attached)"), read in C: body.classify's answer for it, from the vocabulary media_vocabulary gave. */

typedef struct {
    Py_ssize_t name_start, name_end;  /* the file name: [name_start, name_end) of the text */
    PyObject *media_type;             /* borrowed: a MediaType member */
} AttachedFile;

/* body.media_type_of for an ASCII name (`name`, n characters): the first "-WORD-" of ios_name_types
 * in its upper case, else its extension (body._suffix, lower case, without the dot) looked up in
 * extension_types, else DOCUMENT when it has one, UNKNOWN when not. A borrowed reference, or NULL
 * with an exception set. */
static PyObject *ascii_media_type(Scanner *self, const char *name, Py_ssize_t n) {
    char upper[ASCII_LINE_MAX];
    for (Py_ssize_t i = 0; i < n; i++) upper[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(self->name_words); k++) {
        PyObject *word = PyTuple_GET_ITEM(self->name_words, k);
        Py_ssize_t length = PyUnicode_GET_LENGTH(word);
        const char *w = (const char *)PyUnicode_1BYTE_DATA(word);
        for (Py_ssize_t i = 0; i + length <= n; i++)
            if (memcmp(upper + i, w, (size_t)length) == 0) return PyTuple_GET_ITEM(self->name_types, k);
    }
    /* _suffix: the last part between "/" that is not empty or ".", from its last dot, unless the
     * dot opens or ends it */
    Py_ssize_t end = n, start;
    for (;;) {
        start = end;
        while (start > 0 && name[start - 1] != '/') start--;
        if (end > start && !(end - start == 1 && name[start] == '.')) break;
        if (start == 0) { start = end = 0; break; }
        end = start - 1;
    }
    Py_ssize_t dot = end - 1;
    while (dot >= start && name[dot] != '.') dot--;
    if (!(dot > start && dot < end - 1)) return self->media_unknown;
    char extension[ASCII_LINE_MAX];
    Py_ssize_t length = end - dot - 1;
    for (Py_ssize_t i = 0; i < length; i++) extension[i] = (char)ascii_lower((unsigned char)name[dot + 1 + i]);
    PyObject *key = PyUnicode_FromStringAndSize(extension, length);
    if (key == NULL) return NULL;
    PyObject *found = PyDict_GetItemWithError(self->extension_types, key);
    Py_DECREF(key);
    if (found == NULL && PyErr_Occurred()) return NULL;
    return found != NULL ? found : self->media_document;
}

/* Whether an authored text, [start, stop) of `t` with its first line ending at `line_end`, is a
 * media message of the attached-file form as body.classify finds it (kind MEDIA, one attachment,
 * not omitted, not edited): 1 yes (*f says which file), 0 the Python function decides, -1 error.
 * Only an ASCII first line ending with ")" and holding no "<", not a whole-body phrase, is read
 * here: its casefold is its lower case, so the Python tests come down to these. */
static int attached_file(Scanner *self, const Text *t, Py_ssize_t start, Py_ssize_t line_end, Py_ssize_t stop,
                         AttachedFile *f) {
    if (self->file_attached == NULL) return 0;
    if (stop > start && AT(t, stop - 1) == '>') return 0;  /* may be edited */
    Py_ssize_t a = start, b = line_end;
    while (a < b && is_ws_or_mark(AT(t, a))) a++;
    while (b > a && is_ws_or_mark(AT(t, b - 1))) b--;
    Py_ssize_t n = b - a;
    if (n < 2 || n > ASCII_LINE_MAX || AT(t, b - 1) != ')') return 0;
    char line[ASCII_LINE_MAX], folded[ASCII_LINE_MAX];
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = AT(t, a + i);
        if (c >= 128 || c == '<') return 0;
        line[i] = (char)c;
        folded[i] = (char)ascii_lower(c);
    }
    PyObject *bucket = self->body_by_first[(unsigned char)folded[0]];  /* classify's whole_body test */
    for (Py_ssize_t k = 0; bucket != NULL && k < PyTuple_GET_SIZE(bucket); k++) {
        PyObject *key = PyTuple_GET_ITEM(bucket, k);
        if (PyUnicode_GET_LENGTH(key) == n && memcmp(PyUnicode_DATA(key), folded, (size_t)n) == 0) return 0;
    }
    /* _attachments: no "<", no ">" at the end, so the first suffix of file_attached that ends it */
    Py_ssize_t cut = -1;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(self->file_attached) && cut < 0; k++) {
        PyObject *suffix = PyTuple_GET_ITEM(self->file_attached, k);
        Py_ssize_t length = PyUnicode_GET_LENGTH(suffix);
        if (PyUnicode_IS_ASCII(suffix) && length <= n && memcmp(line + n - length, PyUnicode_DATA(suffix), (size_t)length) == 0)
            cut = n - length;
    }
    if (cut < 0) return 0;  /* (an iOS omitted form, or text: Python's) */
    Py_ssize_t name_start = 0, name_end = cut;  /* strip(_WS_AND_MARKS): on ASCII, spaces and tabs */
    while (name_start < name_end && (line[name_start] == ' ' || line[name_start] == '\t')) name_start++;
    while (name_end > name_start && (line[name_end - 1] == ' ' || line[name_end - 1] == '\t')) name_end--;
    if (name_end == name_start) return 0;  /* no name: not media (classify reads on) */
    PyObject *media_type = ascii_media_type(self, line + name_start, name_end - name_start);
    if (media_type == NULL) return -1;
    f->name_start = a + name_start;
    f->name_end = a + name_end;
    f->media_type = media_type;
    return 1;
}

/* media_vocabulary(scanner, file_attached, ios_name_types, extension_types, document, unknown,
 * media, attachment_cls): what attached_file reads; without it every media message is Python's. */
static PyObject *media_vocabulary(PyObject *module, PyObject *args) {
    Scanner *scanner;
    PyObject *file_attached, *name_types, *extension_types, *document, *unknown, *media, *attachment_cls;
    if (!PyArg_ParseTuple(args, "O!O!O!O!OOOO:media_vocabulary", &ScannerType, &scanner, &PyTuple_Type, &file_attached,
                          &PyDict_Type, &name_types, &PyDict_Type, &extension_types, &document, &unknown, &media,
                          &attachment_cls))
        return NULL;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(file_attached); k++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(file_attached, k))) {
            PyErr_SetString(PyExc_TypeError, "media_vocabulary: suffixes are str");
            return NULL;
        }
    if (!PyUnicode_Check(document) || !PyUnicode_Check(unknown)) {
        PyErr_SetString(PyExc_TypeError, "media_vocabulary: media types are str");
        return NULL;
    }
    /* "-WORD-" for each word (body.media_type_of); a word that is not ASCII can never be found in
     * the upper case of an ASCII name, so it is left out */
    PyObject *words = PyList_New(0), *types = PyList_New(0);
    if (words == NULL || types == NULL) goto fail;
    Py_ssize_t position = 0;
    PyObject *word, *type;
    while (PyDict_Next(name_types, &position, &word, &type)) {
        if (!PyUnicode_Check(word) || !PyUnicode_Check(type)) {
            PyErr_SetString(PyExc_TypeError, "media_vocabulary: ios_name_types maps str to a media type");
            goto fail;
        }
        if (!PyUnicode_IS_ASCII(word) || PyUnicode_GET_LENGTH(word) + 2 > ASCII_LINE_MAX) continue;
        PyObject *marked = PyUnicode_FromFormat("-%U-", word);
        if (marked == NULL) goto fail;
        int failed = PyList_Append(words, marked) < 0 || PyList_Append(types, type) < 0;
        Py_DECREF(marked);
        if (failed) goto fail;
    }
    Py_XSETREF(scanner->name_words, PyList_AsTuple(words));
    Py_XSETREF(scanner->name_types, PyList_AsTuple(types));
    Py_DECREF(words);
    Py_DECREF(types);
    if (scanner->name_words == NULL || scanner->name_types == NULL) {
        Py_CLEAR(scanner->name_words); Py_CLEAR(scanner->name_types);
        return NULL;
    }
    Py_XSETREF(scanner->extension_types, Py_NewRef(extension_types));
    Py_XSETREF(scanner->media_document, Py_NewRef(document));
    Py_XSETREF(scanner->media_unknown, Py_NewRef(unknown));
    Py_XSETREF(scanner->kind_media, Py_NewRef(media));
    Py_XSETREF(scanner->attachment_cls, Py_NewRef(attachment_cls));
    Py_XSETREF(scanner->file_attached, Py_NewRef(file_attached));
    Py_RETURN_NONE;
fail:
    Py_XDECREF(words);
    Py_XDECREF(types);
    return NULL;
}

/* classify's answer for the attached-file form: (MEDIA, (Attachment(name, type, False),), False). */
static PyObject *attached_classified(Scanner *self, PyObject *text, const AttachedFile *f) {
    PyObject *name = PyUnicode_Substring(text, f->name_start, f->name_end);
    if (name == NULL) return NULL;
    PyObject *attachment = PyObject_CallFunctionObjArgs(self->attachment_cls, name, f->media_type, Py_False, NULL);
    Py_DECREF(name);
    if (attachment == NULL) return NULL;
    PyObject *result = Py_BuildValue("(O(N)O)", self->kind_media, attachment, Py_False);
    return result;
}

/* body.classify for a text it can prove plain (TEXT, no attachments, not edited); otherwise the
 * Python function decides. Returns a new reference to the (kind, attachments, edited) tuple, or
 * NULL with *plain set when the text is plain. */
static PyObject *classify_text(Scanner *self, PyObject *text, int *plain) {
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    *plain = 0;
    Py_ssize_t newline = PyUnicode_FindChar(text, '\n', 0, t.n, 1);
    if (newline == -2) return NULL;
    int r = plain_body(self, text, &t, 0, newline < 0 ? t.n : newline, t.n);
    if (r < 0) return NULL;
    if (r > 0) { *plain = 1; return NULL; }
    AttachedFile file;
    r = attached_file(self, &t, 0, newline < 0 ? t.n : newline, t.n, &file);
    if (r < 0) return NULL;
    if (r > 0) return attached_classified(self, text, &file);
    return PyObject_CallFunctionObjArgs(self->classify, text, self->shape_name, self->vocabulary, NULL);
}

static PyObject *new_message(Scanner *self, PyObject **fields) {
    if (self->offsets[0] >= 0) {
        PyTypeObject *type = (PyTypeObject *)self->message_cls;
        PyObject *message = type->tp_alloc(type, 0);
        if (message == NULL) return NULL;
        for (int k = 0; k < 12; k++) {
            Py_INCREF(fields[k]);
            *(PyObject **)((char *)message + self->offsets[k]) = fields[k];
        }
        return message;
    }
    return PyObject_Vectorcall(self->message_cls, fields, 12, NULL);
}

/* _Assembler.message's time order: steps back, first and last (a counted message's timestamp). */
static int track_time(Scanner *self, PyObject *timestamp) {
    if (timestamp == self->closing) return 0;  /* the same header's time again: nothing moves */
    if (self->closing == NULL || self->first == NULL || self->last == NULL) {
        Py_XSETREF(self->opening, Py_NewRef(timestamp));
        Py_XSETREF(self->first, Py_NewRef(timestamp));
        Py_XSETREF(self->last, Py_NewRef(timestamp));
    } else {
        int before = PyObject_RichCompareBool(timestamp, self->closing, Py_LT);
        if (before < 0) return -1;
        if (before) {
            self->backward++;
            int earliest = PyObject_RichCompareBool(timestamp, self->first, Py_LT);
            if (earliest < 0) return -1;
            if (earliest) Py_SETREF(self->first, Py_NewRef(timestamp));
        } else {
            int latest = PyObject_RichCompareBool(timestamp, self->last, Py_GT);
            if (latest < 0) return -1;
            if (latest) Py_SETREF(self->last, Py_NewRef(timestamp));
        }
    }
    Py_XSETREF(self->closing, Py_NewRef(timestamp));
    return 0;
}

/* _Assembler.message: the Message of the open header, its lines `line`..`end_line`. */
static PyObject *build_message(Scanner *self, long long end_line) {
    long long line = self->p_line;
    PyObject *rest = self->p_rest, *more = self->p_more;
    if (rest == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner: no open message text");
        return NULL;
    }
    PyObject *author = NULL, *prefix = NULL, *text = NULL, *recognised = NULL, *speaker = NULL;
    PyObject *kind = NULL, *attachments = NULL, *edited = NULL, *system_recognised = NULL, *result = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(rest);
    Py_ssize_t cut = PyUnicode_Find(rest, colon_space, 0, n, 1);
    if (cut == -2) return NULL;
    int fast = 0;
    if (cut > 0) {
        fast = 1;
        if (cut + 2 < n && is_mark(PyUnicode_READ_CHAR(rest, cut + 2))) fast = 0;
        /* '"' in name, or a non-ASCII name matching body.QUOTE ["“„«] */
        else if (str_has(rest, 0, cut, '"', 0x201c, 0x201e, 0xab)) fast = 0;
    }
    if (fast) {
        author = PyUnicode_Substring(rest, 0, cut);
        text = PyUnicode_Substring(rest, cut + 2, n);
        if (author == NULL || text == NULL) goto done;
        prefix = Py_NewRef(Py_None);
        recognised = Py_NewRef(Py_False);
    } else {
        speaker = PyObject_CallFunctionObjArgs(self->split_author, rest, self->shape_name, self->vocabulary, NULL);
        if (speaker == NULL) goto done;
        if (!PyTuple_Check(speaker) || PyTuple_GET_SIZE(speaker) != 4) {
            PyErr_SetString(PyExc_TypeError, "split_author must return a 4-tuple");
            goto done;
        }
        author = Py_NewRef(PyTuple_GET_ITEM(speaker, 0));
        prefix = Py_NewRef(PyTuple_GET_ITEM(speaker, 1));
        text = Py_NewRef(PyTuple_GET_ITEM(speaker, 2));
        recognised = Py_NewRef(PyTuple_GET_ITEM(speaker, 3));
    }
    if (more != NULL) {
        /* text + "\n" + "\n".join(more) */
        PyObject *newline = PyUnicode_FromOrdinal('\n');
        if (newline == NULL) goto done;
        PyObject *joined = PyUnicode_Join(newline, more);
        PyObject *whole = NULL;
        if (joined != NULL) {
            PyObject *parts = PyTuple_Pack(2, text, joined);
            if (parts != NULL) { whole = PyUnicode_Join(newline, parts); Py_DECREF(parts); }
            Py_DECREF(joined);
        }
        Py_DECREF(newline);
        if (whole == NULL) goto done;
        Py_SETREF(text, whole);
    }
    int is_counted = counted(self, line);
    if (author == Py_None) {
        kind = Py_NewRef(self->kind_system);
        attachments = PyTuple_New(0);
        edited = Py_NewRef(Py_False);
        if (attachments == NULL) goto done;
        int truth = PyObject_IsTrue(recognised);
        if (truth < 0) goto done;
        system_recognised = truth ? Py_NewRef(more == NULL ? Py_True : Py_False) : Py_NewRef(recognised);
        if (is_counted) {
            self->system_lines += end_line - line + 1;
            int known = PyObject_IsTrue(system_recognised);
            if (known < 0) goto done;
            if (!known) {
                PyObject *where = PyLong_FromLongLong(line);
                if (where == NULL) goto done;
                int failed = PyList_Append(self->unrecognised, where);
                Py_DECREF(where);
                if (failed) goto done;
            }
        }
    } else {
        int plain;
        PyObject *classified = classify_text(self, text, &plain);
        if (classified == NULL && !plain) goto done;
        if (plain) {
            kind = Py_NewRef(self->kind_text);
            attachments = PyTuple_New(0);
            edited = Py_NewRef(Py_False);
            if (attachments == NULL) goto done;
        } else {
            if (!PyTuple_Check(classified) || PyTuple_GET_SIZE(classified) != 3) {
                Py_DECREF(classified);
                PyErr_SetString(PyExc_TypeError, "classify must return a 3-tuple");
                goto done;
            }
            kind = Py_NewRef(PyTuple_GET_ITEM(classified, 0));
            attachments = Py_NewRef(PyTuple_GET_ITEM(classified, 1));
            edited = Py_NewRef(PyTuple_GET_ITEM(classified, 2));
            Py_DECREF(classified);
        }
        system_recognised = Py_NewRef(Py_None);
        if (is_counted) {
            self->message_lines += end_line - line + 1;
            if (count_in(self->authors, author) < 0) goto done;
        }
    }
    if (is_counted) {
        if (count_in(self->kinds, kind) < 0) goto done;
        if (track_time(self, self->p_timestamp) < 0) goto done;
    }
    {
        PyObject *index = PyLong_FromLongLong(self->index);
        PyObject *first_line = PyLong_FromLongLong(line);
        PyObject *last_line = PyLong_FromLongLong(end_line);
        if (index != NULL && first_line != NULL && last_line != NULL) {
            PyObject *fields[12] = {index, first_line, last_line, self->p_timestamp, self->p_header, author, text,
                                    kind, attachments, prefix, edited, system_recognised};
            result = new_message(self, fields);
        }
        Py_XDECREF(index);
        Py_XDECREF(first_line);
        Py_XDECREF(last_line);
        if (result != NULL) self->index++;
    }
done:
    Py_XDECREF(speaker); Py_XDECREF(author); Py_XDECREF(prefix); Py_XDECREF(text); Py_XDECREF(recognised);
    Py_XDECREF(kind); Py_XDECREF(attachments); Py_XDECREF(edited); Py_XDECREF(system_recognised);
    return result;
}

/* _Assembler.unparsed */
static int add_unparsed(Scanner *self, long long end_line) {
    long long line = self->p_line;
    if (!counted(self, line)) return 0;
    PyObject *region = PyObject_CallFunction(self->unparsed_cls, "LLO", line, end_line, self->p_reason);
    if (region == NULL) return -1;
    int failed = PyList_Append(self->unparsed, region);
    Py_DECREF(region);
    self->unparsed_lines += end_line - line + 1;
    return failed;
}

/* Close what is open (a message goes to `out`, or to `d`'s records when feed_jsonl reads). */
static int close_open(Scanner *self, long long end_line, PyObject *out, Direct *d) {
    if (!self->p_line) return 0;
    if (self->p_timestamp != NULL && d != NULL) return close_direct(self, end_line, d);
    if (self->p_timestamp != NULL) {
        PyObject *message = build_message(self, end_line);
        if (message == NULL) return -1;
        int failed = PyList_Append(out, message);
        Py_DECREF(message);
        return failed;
    }
    return add_unparsed(self, end_line);
}

/* Whether a line of [start, stop) opens as `shapes.any_header` needs: every one of its patterns
 * opens a line with invisible marks, then `[` or a decimal digit. False: that regex finds nothing. */
static int may_hold_header(const Text *t, Py_ssize_t start, Py_ssize_t stop) {
    Py_ssize_t i = start;
    while (i < stop) {
        Py_ssize_t j = skip_marks(t, i, stop);
        if (j < stop) {
            Py_UCS4 c = AT(t, j);
            if (c == '[' || Py_UNICODE_ISDECIMAL(c)) return 1;
        }
        while (i < stop && AT(t, i) != '\n') i++;
        i++;
    }
    return 0;
}

/* Header-like lines (the header_like function) in the text [start, stop) of `block`, added to the
 * count; `text` is that text as a str, or NULL to make it only when needed. */
static int count_header_like(Scanner *self, PyObject *block, Py_ssize_t start, Py_ssize_t stop, PyObject *text) {
    Text t = {PyUnicode_KIND(block), PyUnicode_DATA(block), PyUnicode_GET_LENGTH(block)};
    if (!may_hold_header(&t, start, stop)) return 0;
    PyObject *found = text != NULL ? PyObject_CallOneArg(self->header_like, text) : NULL;
    if (text == NULL) {
        PyObject *made = PyUnicode_Substring(block, start, stop);
        if (made == NULL) return -1;
        found = PyObject_CallOneArg(self->header_like, made);
        Py_DECREF(made);
    }
    if (found == NULL) return -1;
    long long count = PyLong_AsLongLong(found);
    Py_DECREF(found);
    if (count == -1 && PyErr_Occurred()) return -1;
    self->header_like_count += count;
    return 0;
}

/* Lines of non-header text [start, stop) of `block` (stop excluded, no final LF). */
static int add_text(Scanner *self, PyObject *block, Py_ssize_t start, Py_ssize_t stop, long long *block_line) {
    if (self->p_in_block) {  /* feed_jsonl, a message of this block: its text ends at `stop` */
        if (counted(self, self->p_line) && count_header_like(self, block, start, stop, NULL) < 0) return -1;
        self->p_text_end = stop;
        return 0;
    }
    PyObject *text = PyUnicode_Substring(block, start, stop);
    if (text == NULL) return -1;
    if (!self->p_line) {
        Scanner_clear_state(self);
        self->p_line = *block_line + 1;
        self->p_header = Py_NewRef(self->empty);
        self->p_rest = Py_NewRef(self->empty);
        self->p_reason = Py_NewRef(self->before_first);
    } else if (self->p_timestamp != NULL && counted(self, self->p_line)) {
        if (count_header_like(self, block, start, stop, text) < 0) { Py_DECREF(text); return -1; }
    }
    if (self->p_more == NULL) {
        self->p_more = PyList_New(0);
        if (self->p_more == NULL) { Py_DECREF(text); return -1; }
    }
    int failed = PyList_Append(self->p_more, text);
    Py_DECREF(text);
    if (failed) return -1;
    return 0;
}

static long long count_lf(const Text *t, Py_ssize_t start, Py_ssize_t stop) {
    long long count = 0;
    for (Py_ssize_t i = start; i < stop; i++)
        if (AT(t, i) == '\n') count++;
    return count;
}

/* The open message's text as objects (p_rest, p_more), as Scanner_feed keeps it: feed_jsonl keeps
 * positions in the block instead while it reads that block. */
static int materialise(Scanner *self, PyObject *block) {
    if (!self->p_in_block) return 0;
    self->p_in_block = 0;
    self->p_rest = PyUnicode_Substring(block, self->p_rest_start, self->p_rest_end);
    if (self->p_rest == NULL) return -1;
    if (self->p_text_end > self->p_rest_end) {  /* one run of continuation lines */
        PyObject *more = PyUnicode_Substring(block, self->p_rest_end + 1, self->p_text_end);
        if (more == NULL) return -1;
        self->p_more = PyList_New(1);
        if (self->p_more == NULL) { Py_DECREF(more); return -1; }
        PyList_SET_ITEM(self->p_more, 0, more);
    }
    return 0;
}

/* Read one block: the messages it closes go to `out` (Scanner.feed), or their records to `d`
 * (feed_jsonl). 0, or -1 with an exception set. */
static int scan_block(Scanner *self, PyObject *block, PyObject *out, Direct *d) {
    Text t = {PyUnicode_KIND(block), PyUnicode_DATA(block), PyUnicode_GET_LENGTH(block)};
    Py_ssize_t position = 0, line_start = 0;
    long long block_line = self->line_no;
    Header h;
    while (line_start <= t.n) {
        Py_ssize_t line_end = PyUnicode_FindChar(block, '\n', line_start, t.n, 1);
        if (line_end == -2) goto fail;
        if (line_end < 0) line_end = t.n;
        if (match_header(&self->style, &t, line_start, line_end, &h)) {
            Py_ssize_t start = line_start;
            if (start > position) { /* whole lines of non-header text before this header */
                if (add_text(self, block, position, start - 1, &block_line) < 0) goto fail;
                block_line += count_lf(&t, position, start - 1) + 1;
            }
            if (close_open(self, block_line, out, d) < 0) goto fail;
            block_line += 1;
            Py_ssize_t rest_start = h.rest;
            position = line_end;
            /* header = block[start:rest_start], reused while it repeats */
            PyObject *header = NULL;
            Py_ssize_t length = rest_start - start;
            if (self->last_header != NULL && PyUnicode_GET_LENGTH(self->last_header) == length &&
                PyUnicode_KIND(self->last_header) == t.kind &&
                memcmp(PyUnicode_DATA(self->last_header), (const char *)t.data + start * t.kind,
                       (size_t)(length * t.kind)) == 0) {
                header = Py_NewRef(self->last_header);
            } else {
                header = PyUnicode_Substring(block, start, rest_start);
                if (header == NULL) goto fail;
                if (self->last_header == NULL || PyUnicode_Compare(header, self->last_header) != 0) {
                    if (PyErr_Occurred()) { Py_DECREF(header); goto fail; }
                    PyObject *moment = timestamp_of(self, &h);
                    if (moment == NULL) { Py_DECREF(header); goto fail; }
                    Py_XSETREF(self->last_timestamp, moment);
                }
                Py_XSETREF(self->last_header, Py_NewRef(header));
            }
            Scanner_clear_state(self);
            self->p_line = block_line;
            if (self->last_timestamp == Py_None) {
                Py_DECREF(header);
                self->p_header = Py_NewRef(self->empty);
                self->p_rest = Py_NewRef(self->empty);
                self->p_reason = Py_NewRef(self->impossible);
                if (counted(self, block_line)) self->impossible_count++;
            } else {
                self->p_header = header;
                self->p_timestamp = Py_NewRef(self->last_timestamp);
                self->p_reason = Py_NewRef(self->empty);
                if (d != NULL) {
                    self->p_in_block = 1;
                    self->p_rest_start = rest_start;
                    self->p_rest_end = self->p_text_end = position;
                } else {
                    self->p_rest = PyUnicode_Substring(block, rest_start, position);
                    if (self->p_rest == NULL) goto fail;
                }
            }
            position += 1;
        }
        line_start = line_end + 1;
    }
    if (position <= t.n) {
        if (add_text(self, block, position, t.n, &block_line) < 0) goto fail;
        block_line += count_lf(&t, position, t.n) + 1;
    }
    self->line_no = block_line;
    return materialise(self, block);  /* the next block cannot refer to this one */
fail:
    if (self->p_in_block) {  /* positions in a block this scanner will not see again: drop them */
        Scanner_clear_state(self);
        self->p_line = 0;
    }
    return -1;
}

static PyObject *Scanner_feed(Scanner *self, PyObject *block) {
    if (!PyUnicode_Check(block)) {
        PyErr_SetString(PyExc_TypeError, "a block is a str");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    if (scan_block(self, block, out, NULL) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *Scanner_finish(Scanner *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    if (close_open(self, self->line_no, out, NULL) < 0) { Py_DECREF(out); return NULL; }
    Scanner_clear_state(self);
    self->p_line = 0;
    return out;
}

static PyObject *Scanner_counts(Scanner *self, PyObject *Py_UNUSED(ignored)) {
#define OR_NONE(x) ((x) != NULL ? (x) : Py_None)
    return Py_BuildValue("LLLLLLLOOOO", self->line_no, self->message_lines, self->system_lines, self->unparsed_lines,
                         self->backward, self->header_like_count, self->impossible_count, OR_NONE(self->opening),
                         OR_NONE(self->closing), OR_NONE(self->first), OR_NONE(self->last));
#undef OR_NONE
}

static PyMethodDef Scanner_methods[] = {
    {"feed", (PyCFunction)Scanner_feed, METH_O, "The messages closed by this block of text (list)."},
    {"finish", (PyCFunction)Scanner_finish, METH_NOARGS, "The last message, once the text has ended (list)."},
    {"counts", (PyCFunction)Scanner_counts, METH_NOARGS,
     "(lines, message_lines, system_lines, unparsed_lines, backward, header_like, impossible, opening, closing, "
     "first, last)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "whatsapp_audit._native.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The parser's loop for one export (see ingest/parser.py, which builds it).",
    .tp_new = Scanner_new,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_traverse = (traverseproc)Scanner_traverse,
    .tp_clear = (inquiry)Scanner_clear,
    .tp_methods = Scanner_methods,
};

/* ------------------------------------------------------------------------------------------------ */
/* JSON lines of parse records (report/messages.py: message_record + encode.lines)                 */


static int grow(Buffer *b, size_t more) {
    if (more > (size_t)PY_SSIZE_T_MAX / 2 - b->length) { PyErr_NoMemory(); return -1; }
    size_t capacity = b->capacity ? b->capacity : 1 << 16;
    while (capacity < b->length + more) capacity *= 2;
    if (b->bytes != NULL) {
        if (_PyBytes_Resize(&b->bytes, (Py_ssize_t)capacity) < 0) {  /* (it is freed then) */
            *b = (Buffer){NULL, 0, 0, NULL};
            return -1;
        }
        b->data = PyBytes_AS_STRING(b->bytes);
        b->capacity = capacity;
        return 0;
    }
    char *data = PyMem_Realloc(b->data, capacity);
    if (data == NULL) { PyErr_NoMemory(); return -1; }
    b->data = data;
    b->capacity = capacity;
    return 0;
}

/* Room for `more` bytes: 0, or -1 with an exception set. The test is inlined; growing is not. */
static inline __attribute__((always_inline)) int reserve(Buffer *b, size_t more) {
    return b->length + more <= b->capacity ? 0 : grow(b, more);
}

static inline __attribute__((always_inline)) int put(Buffer *b, const char *s, size_t n) {
    if (reserve(b, n) < 0) return -1;
    memcpy(b->data + b->length, s, n);
    b->length += n;
    return 0;
}

#define PUT_LITERAL(b, s) put((b), (s), sizeof(s) - 1)

/* One byte of UTF-8 as a JSON string holds it (the escapes orjson writes; bytes from 0x80 as they
 * are); returns the position after it. `o` has room for 6 bytes. */
static inline char *put_byte(char *o, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    if (c >= 0x20 && c != '"' && c != '\\') { *o++ = (char)c; return o; }
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\b': *o++ = 'b'; break;
    case '\t': *o++ = 't'; break;
    case '\n': *o++ = 'n'; break;
    case '\f': *o++ = 'f'; break;
    case '\r': *o++ = 'r'; break;
    default:
        *o++ = 'u'; *o++ = '0'; *o++ = '0'; *o++ = hex[c >> 4]; *o++ = hex[c & 15];
    }
    return o;
}

/* 1: written; 0: not a value this encoder writes exactly (caller falls back); -1: error. */
static int put_str(Buffer *b, PyObject *value) {
    if (!PyUnicode_Check(value)) return 0;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(value, &n);
    if (s == NULL) { /* lone surrogates: orjson refuses them, the standard library writes them */
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1;
        PyErr_Clear();
        return 0;
    }
    if (reserve(b, (size_t)n * 6 + 2) < 0) return -1;
    char *o = b->data + b->length;
    *o++ = '"';
    for (Py_ssize_t i = 0; i < n; i++) o = put_byte(o, (unsigned char)s[i]);
    *o++ = '"';
    b->length = (size_t)(o - b->data);
    return 1;
}

static int put_str_or_null(Buffer *b, PyObject *value) {
    if (value == Py_None) return PUT_LITERAL(b, "null") < 0 ? -1 : 1;
    return put_str(b, value);
}

static int put_ll(Buffer *b, long long v) {
    char text[24];
    char *end = text + sizeof text, *o = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do { *--o = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *--o = '-';
    return put(b, o, (size_t)(end - o)) < 0 ? -1 : 1;
}

static int put_int(Buffer *b, PyObject *value) {
    if (!PyLong_CheckExact(value)) return 0;
    long long v = PyLong_AsLongLong(value);
    if (v == -1 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
    return put_ll(b, v);
}

static int put_bool_or_null(Buffer *b, PyObject *value, int null_ok) {
    if (value == Py_True) return PUT_LITERAL(b, "true") < 0 ? -1 : 1;
    if (value == Py_False) return PUT_LITERAL(b, "false") < 0 ? -1 : 1;
    if (null_ok && value == Py_None) return PUT_LITERAL(b, "null") < 0 ? -1 : 1;
    return 0;
}

static int put_datetime(Buffer *b, PyObject *value) {
    if (!PyDateTime_CheckExact(value) || ((PyDateTime_DateTime *)value)->hastzinfo) return 0;
    int year = PyDateTime_GET_YEAR(value);
    if (year < 1 || year > 9999) return 0;
    /* "YYYY-MM-DDTHH:MM:SS", as isoformat(timespec="seconds") and orjson write a naive datetime */
    char text[21] = "\"0000-00-00T00:00:00\"";
    int parts[6] = {year, PyDateTime_GET_MONTH(value), PyDateTime_GET_DAY(value), PyDateTime_DATE_GET_HOUR(value),
                    PyDateTime_DATE_GET_MINUTE(value), PyDateTime_DATE_GET_SECOND(value)};
    static const int at[6] = {5, 8, 11, 14, 17, 20};  /* index after each part's last digit */
    for (int k = 0; k < 6; k++) {
        int v = parts[k];
        for (int i = at[k] - 1; v && i >= (k ? at[k] - 2 : 1); i--, v /= 10) text[i] = (char)('0' + v % 10);
    }
    return put(b, text, sizeof text) < 0 ? -1 : 1;
}

static PyObject *s_line, *s_end_line, *s_timestamp, *s_author, *s_text, *s_kind, *s_attachments, *s_system_prefix,
    *s_edited, *s_header, *s_system_recognised, *s_name, *s_media_type, *s_omitted, *s_display, *s_shown_as;

/* (display, shown_as) of author_name(author), kept in `names`: a new reference, or NULL with an
 * exception set. */
static PyObject *author_names(PyObject *names, PyObject *author_name, PyObject *author) {
    PyObject *name = PyDict_GetItemWithError(names, author);
    if (name != NULL) return Py_NewRef(name);
    if (PyErr_Occurred()) return NULL;
    PyObject *full = PyObject_CallOneArg(author_name, author);
    if (full == NULL) return NULL;
    PyObject *display = PyObject_GetAttr(full, s_display);
    PyObject *shown = display ? PyObject_GetAttr(full, s_shown_as) : NULL;
    Py_DECREF(full);
    if (shown == NULL) { Py_XDECREF(display); return NULL; }
    name = PyTuple_Pack(2, display, shown);
    Py_DECREF(display);
    Py_DECREF(shown);
    if (name == NULL) return NULL;
    if (PyDict_SetItem(names, author, name) < 0) { Py_DECREF(name); return NULL; }
    return name;
}

#define TRY(call) do { int r_ = (call); if (r_ <= 0) { result = r_; goto end; } } while (0)
#define LIT(s) do { if (PUT_LITERAL(b, s) < 0) { result = -1; goto end; } } while (0)

/* One record; 1 written, 0 fall back, -1 error. */
static int put_record(Buffer *b, PyObject *message, PyObject *names, PyObject *author_name,
                      PyTypeObject *message_type, const Py_ssize_t *offsets) {
    int result = 1;
    PyObject *line = NULL, *end_line = NULL, *timestamp = NULL, *author = NULL, *text = NULL, *kind = NULL,
             *attachments = NULL, *prefix = NULL, *edited = NULL, *header = NULL, *recognised = NULL, *first = NULL,
             *name = NULL;
    if (offsets != NULL && offsets[0] >= 0 && Py_TYPE(message) == message_type) {
        /* a Message as parsed: its fields straight from their slots (FIELDS order) */
#define SLOT(var, k) if ((var = *(PyObject **)((char *)message + offsets[k])) == NULL) { result = 0; goto end; } Py_INCREF(var);
        SLOT(line, 1); SLOT(end_line, 2); SLOT(timestamp, 3); SLOT(header, 4); SLOT(author, 5); SLOT(text, 6);
        SLOT(kind, 7); SLOT(attachments, 8); SLOT(prefix, 9); SLOT(edited, 10); SLOT(recognised, 11);
#undef SLOT
    } else {
#define GET(var, s) if ((var = PyObject_GetAttr(message, s)) == NULL) { result = -1; goto end; }
        GET(line, s_line); GET(end_line, s_end_line); GET(timestamp, s_timestamp); GET(author, s_author);
        GET(text, s_text); GET(kind, s_kind); GET(attachments, s_attachments); GET(prefix, s_system_prefix);
        GET(edited, s_edited); GET(header, s_header); GET(recognised, s_system_recognised);
#undef GET
    }
    if (!PyTuple_Check(attachments)) { result = 0; goto end; }
    LIT("{\"line\":"); TRY(put_int(b, line));
    LIT(",\"end_line\":"); TRY(put_int(b, end_line));
    LIT(",\"timestamp\":"); TRY(put_datetime(b, timestamp));
    LIT(",\"author\":"); TRY(put_str_or_null(b, author));
    LIT(",\"text\":"); TRY(put_str(b, text));
    LIT(",\"kind\":"); TRY(put_str(b, kind));
    Py_ssize_t count = PyTuple_GET_SIZE(attachments);
    if (count) {
        PyObject *value;
        first = PyTuple_GET_ITEM(attachments, 0);
        LIT(",\"attachment\":");
        if ((value = PyObject_GetAttr(first, s_name)) == NULL) { result = -1; goto end; }
        result = put_str(b, value); Py_DECREF(value); if (result <= 0) goto end;
        LIT(",\"media_type\":");
        if ((value = PyObject_GetAttr(first, s_media_type)) == NULL) { result = -1; goto end; }
        result = put_str(b, value); Py_DECREF(value); if (result <= 0) goto end;
        LIT(",\"attachment_omitted\":");
        if ((value = PyObject_GetAttr(first, s_omitted)) == NULL) { result = -1; goto end; }
        result = put_bool_or_null(b, value, 0); Py_DECREF(value); if (result <= 0) goto end;
        LIT(",\"attachments\":[");
        for (Py_ssize_t k = 0; k < count; k++) {
            if (k) LIT(",");
            if ((value = PyObject_GetAttr(PyTuple_GET_ITEM(attachments, k), s_name)) == NULL) { result = -1; goto end; }
            result = put_str(b, value); Py_DECREF(value); if (result <= 0) goto end;
        }
        LIT("]");
    } else {
        LIT(",\"attachment\":null,\"media_type\":null,\"attachment_omitted\":null,\"attachments\":[]");
    }
    LIT(",\"system_prefix\":"); TRY(put_str_or_null(b, prefix));
    LIT(",\"edited\":"); TRY(put_bool_or_null(b, edited, 0));
    LIT(",\"header\":"); TRY(put_str(b, header));
    /* author_name(author) if author else None */
    int truthy = author != Py_None && PyUnicode_Check(author) && PyUnicode_GET_LENGTH(author) > 0;
    if (author != Py_None && !PyUnicode_Check(author)) { result = 0; goto end; }
    if (truthy) {
        if ((name = author_names(names, author_name, author)) == NULL) { result = -1; goto end; }
        LIT(",\"author_display\":"); TRY(put_str(b, PyTuple_GET_ITEM(name, 0)));
        LIT(",\"author_shown_as\":"); TRY(put_str(b, PyTuple_GET_ITEM(name, 1)));
    } else {
        LIT(",\"author_display\":null,\"author_shown_as\":null");
    }
    LIT(",\"system_recognised\":"); TRY(put_bool_or_null(b, recognised, 1));
    LIT("}\n");
end:
    Py_XDECREF(line); Py_XDECREF(end_line); Py_XDECREF(timestamp); Py_XDECREF(author); Py_XDECREF(text);
    Py_XDECREF(kind); Py_XDECREF(attachments); Py_XDECREF(prefix); Py_XDECREF(edited); Py_XDECREF(header);
    Py_XDECREF(recognised); Py_XDECREF(name);
    return result;
}


/* ------------------------------------------------------------------------------------------------ */
/* From a block of text straight to its JSON lines (feed_jsonl), without Message objects            */

struct Direct {
    Buffer buf;            /* records not yet in `segments` */
    PyObject *segments;    /* list of bytes (UTF-8 JSON lines) and, rarely, str (a record Python wrote) */
    PyObject *block;       /* the block being read (NULL at the end of the text) */
    Text t;
    PyObject *names, *author_name, *fallback;
    long long records;
    int discard;           /* count the messages, write no record */
};

/* One character of a JSON string as put_str writes it (UTF-8, the escapes orjson writes); 0 for
 * a surrogate, which only the Python path writes exactly. `o` has room for 6 bytes. */
static inline int put_char(char **out, Py_UCS4 c) {
    char *o = *out;
    if (c < 0x80) {
        o = put_byte(o, (unsigned char)c);
    } else if (c < 0x800) {
        *o++ = (char)(0xc0 | (c >> 6));
        *o++ = (char)(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdfff) {
        return 0;
    } else if (c < 0x10000) {
        *o++ = (char)(0xe0 | (c >> 12));
        *o++ = (char)(0x80 | ((c >> 6) & 0x3f));
        *o++ = (char)(0x80 | (c & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (c >> 18));
        *o++ = (char)(0x80 | ((c >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((c >> 6) & 0x3f));
        *o++ = (char)(0x80 | (c & 0x3f));
    }
    *out = o;
    return 1;
}

#define SLICE_LOOP(TYPE)                                                   \
    do {                                                                   \
        const TYPE *p = (const TYPE *)t->data;                             \
        for (Py_ssize_t i = start; i < stop; i++)                          \
            if (!put_char(&o, p[i])) return 0;                             \
    } while (0)

/* The text [start, stop) of `t` as a JSON string, as put_str writes it; 0 (nothing written past what
 * was there) when it holds a surrogate. */
static int put_slice(Buffer *b, const Text *t, Py_ssize_t start, Py_ssize_t stop) {
    if (stop < start) stop = start;
    if (reserve(b, (size_t)(stop - start) * 6 + 2) < 0) return -1;
    char *o = b->data + b->length;
    *o++ = '"';
    if (t->kind == PyUnicode_1BYTE_KIND) SLICE_LOOP(Py_UCS1);
    else if (t->kind == PyUnicode_2BYTE_KIND) SLICE_LOOP(Py_UCS2);
    else SLICE_LOOP(Py_UCS4);
    *o++ = '"';
    b->length = (size_t)(o - b->data);
    return 1;
}

#undef SLICE_LOOP

/* Add a slot's counts in waiting to `authors` (where its key already is). */
static int add_pending_author(Scanner *self, AuthorSlot *slot) {
    long long pending = slot->pending;
    slot->pending = 0;
    return pending ? add_count(self->authors, slot->author, pending) : 0;
}

static int add_pending_authors(Scanner *self) {
    for (int k = 0; k < AUTHOR_SLOTS; k++)
        if (add_pending_author(self, &self->slots[k]) < 0) return -1;
    return 0;
}

/* The slot of the author [start, stop) of the block (a name seen lately keeps its slot): NULL with
 * an exception set on error, or with none when its JSON is for the Python path to write. */
static AuthorSlot *author_slot(Scanner *self, Direct *d, Py_ssize_t start, Py_ssize_t stop) {
    const Text *t = &d->t;
    Py_ssize_t n = stop - start;
    unsigned long long hash = 14695981039346656037ULL;  /* FNV-1a, its high bits folded in */
    for (Py_ssize_t i = start; i < stop; i++) hash = (hash ^ AT(t, i)) * 1099511628211ULL;
    hash ^= hash >> 29;
    AuthorSlot *ways = &self->slots[(hash % (AUTHOR_SLOTS / 2)) * 2];
    for (int w = 0; w < 2; w++) {
        AuthorSlot *held = &ways[w];
        if (held->author == NULL || PyUnicode_GET_LENGTH(held->author) != n) continue;
        int kind = PyUnicode_KIND(held->author);
        const void *data = PyUnicode_DATA(held->author);
        Py_ssize_t i = 0;
        while (i < n && PyUnicode_READ(kind, data, i) == AT(t, start + i)) i++;
        if (i == n) {
            held->used = ++self->author_clock;
            return held;
        }
    }
    AuthorSlot *slot = ways[0].author == NULL || (ways[1].author != NULL && ways[0].used <= ways[1].used) ? &ways[0] : &ways[1];
    PyObject *author = PyUnicode_Substring(d->block, start, stop);
    if (author == NULL) return NULL;
    PyObject *name = author_names(d->names, d->author_name, author);
    if (name == NULL) { Py_DECREF(author); return NULL; }
    Buffer json = {NULL, 0, 0};
    size_t split = 0;
    int r = put_slice(&json, t, start, stop);
    if (r > 0) { split = json.length; r = PUT_LITERAL(&json, ",\"author_display\":") < 0 ? -1 : 1; }
    if (r > 0) r = put_str(&json, PyTuple_GET_ITEM(name, 0));
    if (r > 0) r = PUT_LITERAL(&json, ",\"author_shown_as\":") < 0 ? -1 : 1;
    if (r > 0) r = put_str(&json, PyTuple_GET_ITEM(name, 1));
    Py_DECREF(name);
    if (r <= 0) { Py_DECREF(author); PyMem_Free(json.data); return NULL; }
    if (add_pending_author(self, slot) < 0) {  /* the name it held: its counts in waiting go in now */
        Py_DECREF(author);
        PyMem_Free(json.data);
        return NULL;
    }
    Py_XSETREF(slot->author, author);
    PyMem_Free(slot->json.data);
    slot->json = json;
    slot->split = split;
    slot->pending = 0;
    slot->in_authors = 0;
    slot->used = ++self->author_clock;
    return slot;
}

/* The open message as a record straight from the block, when it is a person's plain text in the
 * simple form (build_message's fast case and classify_text's plain answer): 1 written and counted,
 * 0 not that case (nothing written, nothing counted), -1 error. */
static int direct_record(Scanner *self, long long end_line, Direct *d) {
    const Text *t = &d->t;
    Py_ssize_t rs = self->p_rest_start, re = self->p_rest_end, te = self->p_text_end, cut = -1;
    for (Py_ssize_t i = rs; i + 1 < re; i++)
        if (AT(t, i) == ':' && AT(t, i + 1) == ' ') { cut = i; break; }
    if (cut <= rs) return 0;  /* no "Name: " (a system event, or split_author's other forms) */
    if (cut + 2 < re && is_mark(AT(t, cut + 2))) return 0;
    for (Py_ssize_t i = rs; i < cut; i++) {
        Py_UCS4 c = AT(t, i);
        if (c == '"' || c == 0x201c || c == 0x201e || c == 0xab) return 0;
    }
    int plain = plain_body(self, d->block, t, cut + 2, re, te);
    if (plain < 0) return -1;
    AttachedFile file = {0, 0, NULL};  /* media_type NULL: plain text */
    if (plain == 0) {
        int r = attached_file(self, t, cut + 2, re, te, &file);
        if (r <= 0) return r;
    }
    long long line = self->p_line;
    Buffer *b = &d->buf;
    size_t mark = b->length;
    int result = 1;
    AuthorSlot *slot = author_slot(self, d, rs, cut);
    if (slot == NULL) return PyErr_Occurred() ? -1 : 0;
    if (!d->discard) {  /* (feed_jsonl(..., discard=True) only counts) */
        if (self->json_header_of != self->p_header) {  /* the header's JSON string, kept while it repeats */
            self->json_header.length = 0;
            Py_CLEAR(self->json_header_of);
            int r = put_str(&self->json_header, self->p_header);
            if (r <= 0) return r;
            self->json_header_of = Py_NewRef(self->p_header);
        }
        if (self->json_time_of != self->p_timestamp) {  /* the same for its time */
            self->json_time.length = 0;
            Py_CLEAR(self->json_time_of);
            int r = put_datetime(&self->json_time, self->p_timestamp);
            if (r <= 0) return r;
            self->json_time_of = Py_NewRef(self->p_timestamp);
        }
        LIT("{\"line\":"); TRY(put_ll(b, line));
        LIT(",\"end_line\":"); TRY(put_ll(b, end_line));
        LIT(",\"timestamp\":");
        if (put(b, self->json_time.data, self->json_time.length) < 0) { result = -1; goto end; }
        LIT(",\"author\":");
        if (put(b, slot->json.data, slot->split) < 0) { result = -1; goto end; }
        LIT(",\"text\":"); TRY(put_slice(b, t, cut + 2, te));
        if (file.media_type == NULL) {
            LIT(",\"kind\":"); TRY(put_str(b, self->kind_text));
            LIT(",\"attachment\":null,\"media_type\":null,\"attachment_omitted\":null,\"attachments\":[]");
        } else {  /* put_record's fields for (MEDIA, (Attachment(name, media_type, False),), False) */
            LIT(",\"kind\":"); TRY(put_str(b, self->kind_media));
            LIT(",\"attachment\":"); TRY(put_slice(b, t, file.name_start, file.name_end));
            LIT(",\"media_type\":"); TRY(put_str(b, file.media_type));
            LIT(",\"attachment_omitted\":false,\"attachments\":["); TRY(put_slice(b, t, file.name_start, file.name_end));
            LIT("]");
        }
        LIT(",\"system_prefix\":null,\"edited\":false,\"header\":");
        if (put(b, self->json_header.data, self->json_header.length) < 0) { result = -1; goto end; }
        if (put(b, slot->json.data + slot->split, slot->json.length - slot->split) < 0) { result = -1; goto end; }
        LIT(",\"system_recognised\":null}\n");
    }
    if (counted(self, line)) {  /* build_message's counts for a person's plain text */
        self->message_lines += end_line - line + 1;
        if (!slot->in_authors) {  /* its key goes in where build_message would put it */
            if (count_in(self->authors, slot->author) < 0) { result = -1; goto end; }
            slot->in_authors = 1;
        } else {
            slot->pending++;
        }
        if (file.media_type != NULL) {
            if (count_in(self->kinds, self->kind_media) < 0) { result = -1; goto end; }
        } else if (!self->text_counted) {
            if (count_in(self->kinds, self->kind_text) < 0) { result = -1; goto end; }
            self->text_counted = 1;
        } else {
            self->pending_text++;
        }
        if (track_time(self, self->p_timestamp) < 0) { result = -1; goto end; }
    }
    self->index++;
    d->records++;
end:
    if (result <= 0) b->length = mark;
    return result;
}

/* A buffer that writes straight into a bytes object of `capacity` bytes. */
static int bytes_buffer(Buffer *b, size_t capacity) {
    b->bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)capacity);
    if (b->bytes == NULL) return -1;
    b->data = PyBytes_AS_STRING(b->bytes);
    b->length = 0;
    b->capacity = capacity;
    return 0;
}

static void free_buffer(Buffer *b) {
    if (b->bytes != NULL) Py_DECREF(b->bytes);
    else PyMem_Free(b->data);
    *b = (Buffer){NULL, 0, 0, NULL};
}

/* feed_jsonl's records go out in segments of about SEGMENT_BYTES, each in a bytes object of
 * SEGMENT_CAPACITY: small enough for malloc to serve from memory freed by the segments before it.
 * One bytes object per block (7 bytes a character: megabytes) was mapped afresh by malloc each
 * time, every page of the 370 MB of output of a million messages faulted in (94,000 faults). */
#define SEGMENT_BYTES (64 * 1024)
#define SEGMENT_CAPACITY (96 * 1024)

/* Move the buffered records into the segments as one bytes object (cut to their length); `more`:
 * records follow, in a new buffer. */
static int flush_records(Direct *d, int more) {
    if (d->buf.length == 0) return 0;
    PyObject *data = d->buf.bytes;
    Py_ssize_t length = (Py_ssize_t)d->buf.length;
    d->buf = (Buffer){NULL, 0, 0, NULL};
    if (_PyBytes_Resize(&data, length) < 0) return -1;
    int failed = PyList_Append(d->segments, data);
    Py_DECREF(data);
    if (failed || !more) return failed;
    return bytes_buffer(&d->buf, SEGMENT_CAPACITY);
}

/* One Message's record: put_record when it writes it exactly, else the Python function's str. */
static int message_record(Scanner *self, PyObject *message, Direct *d) {
    size_t mark = d->buf.length;
    int r = put_record(&d->buf, message, d->names, d->author_name, (PyTypeObject *)self->message_cls, self->offsets);
    if (r < 0) return -1;
    d->records++;
    if (r > 0) return 0;
    d->buf.length = mark;
    PyObject *line = PyObject_CallOneArg(d->fallback, message);
    if (line == NULL) return -1;
    if (!PyUnicode_Check(line)) {
        Py_DECREF(line);
        PyErr_SetString(PyExc_TypeError, "feed_jsonl: the fallback must return a str");
        return -1;
    }
    Py_ssize_t n;
    const char *utf8 = PyUnicode_AsUTF8AndSize(line, &n);
    int failed;
    if (utf8 != NULL) {
        failed = put(&d->buf, utf8, (size_t)n);
    } else if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {  /* a lone surrogate: kept as str */
        PyErr_Clear();
        failed = flush_records(d, 1) < 0 || PyList_Append(d->segments, line) < 0 ? -1 : 0;
    } else {
        failed = -1;
    }
    Py_DECREF(line);
    return failed;
}

static int close_record(Scanner *self, long long end_line, Direct *d) {
    if (self->p_in_block) {
        int r = direct_record(self, end_line, d);
        if (r != 0) return r < 0 ? -1 : 0;
        if (materialise(self, d->block) < 0) return -1;
    }
    PyObject *message = build_message(self, end_line);
    if (message == NULL) return -1;
    int failed = 0;
    if (d->discard) d->records++;
    else failed = message_record(self, message, d);
    Py_DECREF(message);
    return failed;
}

static int close_direct(Scanner *self, long long end_line, Direct *d) {
    if (close_record(self, end_line, d) < 0) return -1;
    return d->buf.length >= SEGMENT_BYTES ? flush_records(d, 1) : 0;
}

/* Add the plain-text messages counted in C to `kinds` (where their key already is). */
static int add_pending(Scanner *self) {
    long long pending = self->pending_text;
    self->pending_text = 0;
    return add_count(self->kinds, self->kind_text, pending);
}

static PyObject *feed_jsonl(PyObject *module, PyObject *args) {
    Scanner *scanner;
    PyObject *block;
    Direct d = {{NULL, 0, 0, NULL}, NULL, NULL, {0, NULL, 0}, NULL, NULL, NULL, 0, 0};
    if (!PyArg_ParseTuple(args, "O!OO!OO|p:feed_jsonl", &ScannerType, &scanner, &block, &PyDict_Type, &d.names,
                          &d.author_name, &d.fallback, &d.discard))
        return NULL;
    if (block != Py_None && !PyUnicode_Check(block)) {
        PyErr_SetString(PyExc_TypeError, "feed_jsonl: a block is a str, or None at the end");
        return NULL;
    }
    PyObject *result = NULL;
    if ((d.segments = PyList_New(0)) == NULL) return NULL;
    if (bytes_buffer(&d.buf, SEGMENT_CAPACITY) < 0) { Py_DECREF(d.segments); return NULL; }
    int failed;
    if (block != Py_None) {
        d.block = block;
        d.t = (Text){PyUnicode_KIND(block), PyUnicode_DATA(block), PyUnicode_GET_LENGTH(block)};
        failed = scan_block(scanner, block, NULL, &d);
    } else {  /* the end of the text: close what is open (its text is objects by now) */
        failed = close_open(scanner, scanner->line_no, NULL, &d);
        Scanner_clear_state(scanner);
        scanner->p_line = 0;
    }
    if (scanner->pending_text && add_pending(scanner) < 0) failed = -1;
    if (add_pending_authors(scanner) < 0) failed = -1;
    if (!failed && flush_records(&d, 0) == 0) result = Py_BuildValue("LO", d.records, d.segments);
    free_buffer(&d.buf);
    Py_DECREF(d.segments);
    return result;
}

static PyObject *encode_jsonl(PyObject *module, PyObject *args) {
    PyObject *messages, *names, *author_name;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyList_Type, &messages, &PyDict_Type, &names, &author_name)) return NULL;
    Buffer b = {NULL, 0, 0};
    Py_ssize_t n = PyList_GET_SIZE(messages);
    Py_ssize_t offsets[12];
    PyTypeObject *message_type = n ? Py_TYPE(PyList_GET_ITEM(messages, 0)) : NULL;
    if (message_type != NULL) find_offsets((PyObject *)message_type, offsets, 12);
    for (Py_ssize_t i = 0; i < n; i++) {
        int r = put_record(&b, PyList_GET_ITEM(messages, i), names, author_name, message_type,
                           message_type != NULL ? offsets : NULL);
        if (r <= 0) {
            PyMem_Free(b.data);
            if (r < 0) return NULL;
            Py_RETURN_NONE;
        }
    }
    PyObject *out = PyBytes_FromStringAndSize(b.data ? b.data : "", (Py_ssize_t)b.length);
    PyMem_Free(b.data);
    return out;
}

/* ------------------------------------------------------------------------------------------------ */
/* The gates' walk over a text's runs of non-space characters (detect/text/runs.py: python_walk)    */

#define RUN_PAIRS_MAX 32
static PyObject *low_max; /* 2**64 - 1 */

/* The (end, start, out) bit triples of `pairs` (each in the first 64 bits), read once per call. */
typedef struct {
    Py_ssize_t n;
    unsigned long long ends[RUN_PAIRS_MAX], starts[RUN_PAIRS_MAX], outs[RUN_PAIRS_MAX];
} Pairs;

static int read_pairs(PyObject *pairs, Pairs *p) {
    p->n = PyTuple_GET_SIZE(pairs);
    if (p->n > RUN_PAIRS_MAX) {
        PyErr_SetString(PyExc_ValueError, "or_runs: too many pairs");
        return -1;
    }
    for (Py_ssize_t k = 0; k < p->n; k++) {
        PyObject *pair = PyTuple_GET_ITEM(pairs, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 3) {
            PyErr_SetString(PyExc_TypeError, "or_runs: a pair is (end, start, out)");
            return -1;
        }
        p->ends[k] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(pair, 0));
        p->starts[k] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(pair, 1));
        p->outs[k] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(pair, 2));
        if (PyErr_Occurred()) return -1;
    }
    return 0;
}

/* The OR of the bits of each run of non-space characters of `text` (as str.split() cuts them) from
   `memo`, else `compute(run)`; plus, for each pair, its `out` where a run holding `end` is followed by
   one holding `start`. Bits past the first 64 (wide fields, rare) are ORed as Python ints. A new
   reference, or NULL with an exception set. */
static PyObject *walk_runs(PyObject *text, PyObject *memo, PyObject *compute, const Pairs *p) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    unsigned long long low = 0, before = 0;
    PyObject *big = NULL;
    while (i < n) {
        while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        while (i < n && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
        PyObject *run = PyUnicode_Substring(text, start, i);
        if (run == NULL) goto fail;
        PyObject *bits = PyDict_GetItemWithError(memo, run); /* borrowed */
        if (bits != NULL) {
            Py_INCREF(bits);
        } else if (PyErr_Occurred()) {
            Py_DECREF(run);
            goto fail;
        } else {
            bits = PyObject_CallOneArg(compute, run);
            if (bits == NULL) {
                Py_DECREF(run);
                goto fail;
            }
        }
        Py_DECREF(run);
        unsigned long long value = PyLong_AsUnsignedLongLongMask(bits); /* the first 64 bits */
        if (value == (unsigned long long)-1 && PyErr_Occurred()) {
            Py_DECREF(bits);
            goto fail;
        }
        int wide = value == (unsigned long long)-1 || (value >> 63)
                       ? 1 : PyObject_RichCompareBool(bits, low_max, Py_GT);
        if (wide < 0) {
            Py_DECREF(bits);
            goto fail;
        }
        if (wide) { /* bits past the first 64: ORed as Python ints */
            if (big == NULL) {
                big = bits;
                bits = NULL;
            } else {
                PyObject *merged = PyNumber_Or(big, bits);
                Py_DECREF(big);
                big = merged;
                if (big == NULL) {
                    Py_DECREF(bits);
                    goto fail;
                }
            }
        }
        Py_XDECREF(bits);
        if (before) {
            for (Py_ssize_t k = 0; k < p->n; k++)
                if ((before & p->ends[k]) && (value & p->starts[k])) low |= p->outs[k];
        }
        low |= value;
        before = value;
    }
    PyObject *result = PyLong_FromUnsignedLongLong(low);
    if (result != NULL && big != NULL) {
        PyObject *merged = PyNumber_Or(result, big);
        Py_DECREF(result);
        result = merged;
    }
    Py_XDECREF(big);
    return result;
fail:
    Py_XDECREF(big);
    return NULL;
}

/* or_runs(text, memo, compute, pairs) -> int: `walk_runs` of one text (runs.py: python_walk). */
static PyObject *or_runs(PyObject *self, PyObject *args) {
    PyObject *text, *memo, *compute, *pairs;
    if (!PyArg_ParseTuple(args, "UO!OO!:or_runs", &text, &PyDict_Type, &memo, &compute, &PyTuple_Type, &pairs))
        return NULL;
    Pairs p;
    if (read_pairs(pairs, &p) < 0) return NULL;
    return walk_runs(text, memo, compute, &p);
}

/* ------------------------------------------------------------------------------------------------ */
/* The engine's quiet test over a block of messages (detect/engine.py: gate_block)                 */

/* Whether every whitespace character of a non-ASCII `text` is ASCII (engine.py: ascii_spaced): the
   run gates' bits then speak for all of it. */
static int ascii_spaced(PyObject *text) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        if (c > 127 && Py_UNICODE_ISSPACE(c)) return 0;
    }
    return 1;
}

/* The one waker's own quiet test (detect/engine.py: `Engine._waker_test`), made here so that a text that
   only the waker's bits (a digit) kept from the AND does not cost a call of `woken`: it is quiet when its
   bits hold none of `others` (the other gates' bits: only the waker woke it) nor `words` (the waker's
   words that settle the question their own way), it is at most `longest` characters long, holds n
   decimal digits (`\d` of the regex engine: Py_UNICODE_ISDECIMAL), fewer than `floor`, and
   `searches[n]` (the last one past their end) finds nothing in it. 1 quiet, 0 not known to be (`woken`
   decides), -1 an exception. */
typedef struct {
    PyObject *others, *words, *searches;
    Py_ssize_t longest, floor;
} WakerTest;

static int bits_clear(PyObject *combined, PyObject *bits) {
    PyObject *both = PyNumber_And(combined, bits);
    if (both == NULL) return -1;
    int clear = PyObject_Not(both);
    Py_DECREF(both);
    return clear;
}

static int waker_quiet(const WakerTest *w, PyObject *text, PyObject *combined) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > w->longest) return 0;
    int clear = bits_clear(combined, w->others);
    if (clear <= 0) return clear;
    if ((clear = bits_clear(combined, w->words)) <= 0) return clear;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t count = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        int decimal = c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL(c);
        if (decimal && ++count >= w->floor) return 0;
    }
    Py_ssize_t last = PyTuple_GET_SIZE(w->searches) - 1;
    if (last < 0) return 0;
    PyObject *found = PyObject_CallOneArg(PyTuple_GET_ITEM(w->searches, count < last ? count : last), text);
    if (found == NULL) return -1;
    int quiet = found == Py_None;
    Py_DECREF(found);
    return quiet;
}

/* gate_block(messages, start, stop, text_kind, memo, compute, pairs, filters, wake_any, longest, woken,
   quiet, waker=None) -> list of (position, lowered, combined, mask): the messages of messages[start:stop]
   that are not quiet, in order. A message of kind `text_kind` without attachments has its text lower-cased (as
   str.lower()) and walked (`walk_runs`, then each of `filters` in turn): it is quiet when its
   whitespace is ASCII, it is at most `longest` characters long and its bits share none with
   `wake_any` (the engine's one AND, `Engine._quiet_bits`), or else when `woken(text, lowered,
   combined)` (`Engine._woken`) is `quiet` (the mask of detectors that want no text message), which
   `waker` (None, or `(others, words, longest, floor, searches)`: `waker_quiet`) answers first for the
   texts it can; otherwise it is listed with those values. Any
   other message is listed with None for all three. The reference is `engine.python_gate_block`;
   tests/test_native.py holds both to one answer. */
static PyObject *gate_block(PyObject *module, PyObject *args) {
    PyObject *messages, *text_kind, *memo, *compute, *pairs, *filters, *wake_any, *woken_of, *quiet_mask;
    PyObject *waker = Py_None;
    Py_ssize_t start, stop, longest;
    if (!PyArg_ParseTuple(args, "O!nnOO!OO!O!O!nOO|O:gate_block", &PyList_Type, &messages, &start, &stop,
                          &text_kind, &PyDict_Type, &memo, &compute, &PyTuple_Type, &pairs, &PyTuple_Type, &filters,
                          &PyLong_Type, &wake_any, &longest, &woken_of, &quiet_mask, &waker))
        return NULL;
    Pairs p;
    if (read_pairs(pairs, &p) < 0) return NULL;
    WakerTest w = {NULL, NULL, NULL, 0, 0};
    if (waker != Py_None && !PyArg_ParseTuple(waker, "O!O!nnO!:gate_block's waker", &PyLong_Type, &w.others,
                                              &PyLong_Type, &w.words, &w.longest, &w.floor, &PyTuple_Type,
                                              &w.searches))
        return NULL;
    if (start < 0) start = 0;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = start; i < stop && i < PyList_GET_SIZE(messages); i++) {
        PyObject *message = PyList_GET_ITEM(messages, i);
        Py_INCREF(message); /* a callback could change the list */
        PyObject *lowered = NULL, *combined = NULL, *mask = NULL, *kind = NULL, *attachments = NULL, *text = NULL;
        int quiet = 0;
        if ((kind = PyObject_GetAttr(message, s_kind)) == NULL) goto fail;
        if (kind != text_kind) goto decided;
        if ((attachments = PyObject_GetAttr(message, s_attachments)) == NULL) goto fail;
        int attached = PyObject_IsTrue(attachments);
        if (attached < 0) goto fail;
        if (attached) goto decided;
        if ((text = PyObject_GetAttr(message, s_text)) == NULL) goto fail;
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "gate_block: a message's text is not a str");
            goto fail;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int plain = PyUnicode_IS_ASCII(text);
        if (plain) { /* str.lower() of an ASCII text: A-Z shifted, every other character as it is */
            if ((lowered = PyUnicode_New(n, 127)) == NULL) goto fail;
            const Py_UCS1 *from = PyUnicode_1BYTE_DATA(text);
            Py_UCS1 *to = PyUnicode_1BYTE_DATA(lowered);
            for (Py_ssize_t k = 0; k < n; k++) to[k] = from[k] >= 'A' && from[k] <= 'Z' ? from[k] + 32 : from[k];
        } else if ((lowered = PyObject_CallMethodNoArgs(text, s_lower)) == NULL) {
            goto fail;
        }
        if ((combined = walk_runs(lowered, memo, compute, &p)) == NULL) goto fail;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(filters); k++) {
            PyObject *kept = PyObject_CallOneArg(PyTuple_GET_ITEM(filters, k), combined);
            if (kept == NULL) goto fail;
            Py_SETREF(combined, kept);
        }
        PyObject *woken = PyNumber_And(combined, wake_any);
        if (woken == NULL) goto fail;
        quiet = PyObject_Not(woken);
        Py_DECREF(woken);
        if (quiet < 0) goto fail;
        if (quiet && n <= longest && (plain || ascii_spaced(text))) goto decided;
        quiet = 0;
        if (w.searches != NULL && n <= longest && (plain || ascii_spaced(text))) {
            if ((quiet = waker_quiet(&w, text, combined)) < 0) goto fail;
            if (quiet) goto decided;
        }
        PyObject *call[3] = {text, lowered, combined};
        if ((mask = PyObject_Vectorcall(woken_of, call, 3, NULL)) == NULL) goto fail;
        if ((quiet = PyObject_RichCompareBool(mask, quiet_mask, Py_EQ)) < 0) goto fail;
    decided:
        if (!quiet) {
            PyObject *position = PyLong_FromSsize_t(i);
            if (position == NULL) goto fail;
            PyObject *entry = PyTuple_Pack(4, position, lowered ? lowered : Py_None, combined ? combined : Py_None,
                                           mask ? mask : Py_None);
            Py_DECREF(position);
            if (entry == NULL) goto fail;
            int added = PyList_Append(out, entry);
            Py_DECREF(entry);
            if (added < 0) goto fail;
        }
        Py_XDECREF(lowered); Py_XDECREF(combined); Py_XDECREF(mask); Py_XDECREF(kind); Py_XDECREF(attachments);
        Py_XDECREF(text);
        Py_DECREF(message);
        continue;
    fail:
        Py_XDECREF(lowered); Py_XDECREF(combined); Py_XDECREF(mask); Py_XDECREF(kind); Py_XDECREF(attachments);
        Py_XDECREF(text);
        Py_DECREF(message);
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* ------------------------------------------------------------------------------------------------ */
/* Woken constructions without every plain test satisfied (discriminatory/candidates.py: Cover)   */

/* A field of a run table's combined bits laid out as [tests satisfied][crosses][groups woken].
   `Cover(groups, needed, shift, tests)` keeps, per group, the tests it needs (their numbers), where
   the field lies and how many tests it holds; called with a text's combined bits it clears the bit of
   each woken group that has some needed test unsatisfied (all bits are kept when the crosses bit is
   set), and returns the same object when nothing changes (at once when no group is woken: no bit
   lies that high). The reference is `candidates.keep_covered`;
   tests/test_perf_equivalence.py holds both to one answer. */
typedef struct {
    PyObject_HEAD
    Py_ssize_t groups, shift, ntests;
    Py_ssize_t *starts;    /* groups + 1 offsets into `tests` */
    Py_ssize_t *tests;     /* each group's needed tests, by number */
} Cover;

static void Cover_dealloc(Cover *self) {
    PyMem_Free(self->starts);
    PyMem_Free(self->tests);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Cover_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"groups", "needed", "shift", "tests", NULL};
    Py_ssize_t groups, shift, ntests;
    PyObject *needed;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "nO!nn:Cover", kwlist, &groups, &PyTuple_Type, &needed, &shift,
                                     &ntests))
        return NULL;
    if (groups < 0 || shift < 0 || ntests < 0 || PyTuple_GET_SIZE(needed) != groups) {
        PyErr_SetString(PyExc_ValueError, "Cover: one tuple of needed tests per group, shift and tests >= 0");
        return NULL;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t g = 0; g < groups; g++) {
        PyObject *item = PyTuple_GET_ITEM(needed, g);
        if (!PyTuple_Check(item)) { PyErr_SetString(PyExc_TypeError, "Cover: needed tests are tuples"); return NULL; }
        total += PyTuple_GET_SIZE(item);
    }
    Cover *self = (Cover *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->groups = groups;
    self->shift = shift;
    self->ntests = ntests;
    self->starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(groups + 1));
    self->tests = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(total ? total : 1));
    if (self->starts == NULL || self->tests == NULL) { Py_DECREF(self); return PyErr_NoMemory(); }
    Py_ssize_t at = 0;
    for (Py_ssize_t g = 0; g < groups; g++) {
        PyObject *item = PyTuple_GET_ITEM(needed, g);
        self->starts[g] = at;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(item); k++) {
            Py_ssize_t test = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, k));
            if (test < 0 || test >= ntests) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "Cover: a test number is in 0 .. tests - 1");
                Py_DECREF(self);
                return NULL;
            }
            self->tests[at++] = test;
        }
    }
    self->starts[groups] = at;
    return (PyObject *)self;
}

static inline int bit_at(const unsigned char *bytes, Py_ssize_t nbits, Py_ssize_t i) {
    return i < nbits && (bytes[i >> 3] >> (i & 7)) & 1;
}

static PyObject *Cover_call(Cover *self, PyObject *args, PyObject *kwargs) {
    PyObject *combined;
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs)) { PyErr_SetString(PyExc_TypeError, "Cover() takes no keywords"); return NULL; }
    if (!PyArg_ParseTuple(args, "O!:Cover", &PyLong_Type, &combined)) return NULL;
    if (_PyLong_Sign(combined) < 0) { PyErr_SetString(PyExc_ValueError, "Cover: negative bits"); return NULL; }
    Py_ssize_t groups = self->groups, shift = self->shift, woken_at = shift + self->ntests + 1;
    size_t counted = _PyLong_NumBits(combined);
    if (counted == (size_t)-1) return NULL;
    Py_ssize_t nbits = (Py_ssize_t)counted;
    if (nbits <= woken_at) { Py_INCREF(combined); return combined; }  /* nothing woken */
    size_t nbytes = (size_t)((nbits + 7) / 8);
    unsigned char stack[512];
    unsigned char *bytes = nbytes <= sizeof stack ? stack : PyMem_Malloc(nbytes);
    if (bytes == NULL) return PyErr_NoMemory();
    PyObject *result = NULL;
    int changed = 0;
    if (_PyLong_AsByteArray((PyLongObject *)combined, bytes, nbytes, 1, 0) < 0) goto done;
    if (!bit_at(bytes, nbits, woken_at - 1)) {  /* no cluster crosses whitespace: runs read alone */
        Py_ssize_t last = nbits < woken_at + groups ? nbits : woken_at + groups;
        for (Py_ssize_t i = woken_at; i < last; i++) {
            if (!((bytes[i >> 3] >> (i & 7)) & 1)) {
                if ((i & 7) == 0 && i + 8 <= last && bytes[i >> 3] == 0) i += 7;  /* a zero byte at once */
                continue;
            }
            Py_ssize_t g = i - woken_at, k = self->starts[g], end = self->starts[g + 1];
            while (k < end && bit_at(bytes, nbits, shift + self->tests[k])) k++;
            if (k < end) {
                bytes[i >> 3] &= (unsigned char)~(1u << (i & 7));
                changed = 1;
            }
        }
    }
    if (changed) {
        result = _PyLong_FromByteArray(bytes, nbytes, 1, 0);
    } else {
        Py_INCREF(combined);
        result = combined;
    }
done:
    if (bytes != stack) PyMem_Free(bytes);
    return result;
}

static PyTypeObject CoverType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "whatsapp_audit._native.Cover",
    .tp_basicsize = sizeof(Cover),
    .tp_dealloc = (destructor)Cover_dealloc,
    .tp_call = (ternaryfunc)Cover_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Cover(groups, needed, shift)(combined) -> combined without the woken groups whose plain tests "
              "are not all satisfied (see detect/discriminatory/candidates.py).",
    .tp_new = Cover_new,
};


/* ------------------------------------------------------------------------------------------------ */
/* The survey's search for a date number above 12 (ingest/survey.py), turned away where it cannot hit */

/* shapes.ABOVE_12 without its optional leading 0: 1[3-9] | 2\d | 3[01] at i (`\d` any decimal digit). */
static inline int above_12_at(const Text *t, Py_ssize_t i) {
    if (i + 1 >= t->n) return 0;
    Py_UCS4 a = AT(t, i), b = AT(t, i + 1);
    return (a == '1' && b >= '3' && b <= '9') || (a == '2' && Py_UNICODE_ISDECIMAL(b)) || (a == '3' && (b == '0' || b == '1'));
}

/* may_hold_date(block, sep, second) -> bool: False when no header of the survey's strict regex with
 * its first (second=False) or second date number above 12 can be in `block`. Every such header holds
 * ABOVE_12, then invisible marks, then the date separator; the second number also follows the
 * separator, marks and perhaps a 0. True is only "perhaps": the regex then decides. */
/* may_hold_date for raw UTF-8 bytes: the same test with every byte of a non-ASCII character taken
 * for an invisible mark, or for a digit after "2" (both are only ever non-ASCII there): a superset. */
static int may_hold_date_bytes(const unsigned char *s, Py_ssize_t n, unsigned char sep, int second) {
#define CORE(a, b) (((a) == '1' && (b) >= '3' && (b) <= '9') || ((a) == '2' && (((b) >= '0' && (b) <= '9') || (b) >= 0x80)) \
                    || ((a) == '3' && ((b) == '0' || (b) == '1')))
    const unsigned char *end = s + n, *p = s;
    while ((p = memchr(p, sep, (size_t)(end - p))) != NULL) {
        if (second) {  /* sep (non-ASCII)* 0? CORE (non-ASCII)* sep */
            const unsigned char *q = p + 1;
            while (q < end && *q >= 0x80) q++;
            for (int zero = 0; zero < 2; zero++) {
                const unsigned char *c = q + zero;
                if (zero && !(q < end && *q == '0')) break;
                if (c + 1 >= end || !CORE(c[0], c[1])) continue;
                const unsigned char *r = c + 2;
                while (r < end && *r >= 0x80) r++;
                if (r < end && *r == sep) return 1;
            }
        } else {  /* CORE (non-ASCII)* sep, looking back from the separator */
            const unsigned char *q = p;
            while (q > s && q[-1] >= 0x80) q--;
            if (q - s >= 2 && CORE(q[-2], q[-1])) return 1;
            if (q < p && q - s >= 1 && q[-1] == '2') return 1;  /* "2" and a non-ASCII digit */
        }
        p++;
    }
    return 0;
#undef CORE
}

static PyObject *may_hold_date(PyObject *module, PyObject *args) {
    PyObject *block, *sep_obj;
    int second;
    if (!PyArg_ParseTuple(args, "OUp:may_hold_date", &block, &sep_obj, &second)) return NULL;
    if (PyUnicode_GET_LENGTH(sep_obj) != 1) {
        PyErr_SetString(PyExc_ValueError, "may_hold_date: the separator is one character");
        return NULL;
    }
    Py_UCS4 sep = PyUnicode_READ_CHAR(sep_obj, 0);
    if (PyBytes_Check(block)) {
        if (sep >= 0x80) Py_RETURN_TRUE;  /* (WhatsApp's date separators are ASCII) */
        return PyBool_FromLong(may_hold_date_bytes((const unsigned char *)PyBytes_AS_STRING(block),
                                                   PyBytes_GET_SIZE(block), (unsigned char)sep, second));
    }
    if (!PyUnicode_Check(block)) {
        PyErr_SetString(PyExc_TypeError, "may_hold_date: a block is a str or UTF-8 bytes");
        return NULL;
    }
    Text t = {PyUnicode_KIND(block), PyUnicode_DATA(block), PyUnicode_GET_LENGTH(block)};
    for (Py_ssize_t i = 0; i < t.n; i++) {
        i = PyUnicode_FindChar(block, sep, i, t.n, 1);  /* the next separator */
        if (i == -2) return NULL;
        if (i < 0) break;
        if (second) {  /* sep _M 0? ABOVE_12 _M sep */
            Py_ssize_t j = skip_marks(&t, i + 1, t.n);
            if (j < t.n && AT(&t, j) == '0' && above_12_at(&t, j + 1)) j++;
            if (above_12_at(&t, j) && skip_marks(&t, j + 2, t.n) < t.n && AT(&t, skip_marks(&t, j + 2, t.n)) == sep)
                Py_RETURN_TRUE;
        } else {  /* ABOVE_12 _M sep: look back from the separator over the marks */
            Py_ssize_t j = i;
            while (j > 0 && is_mark(AT(&t, j - 1))) j--;
            if (j >= 2 && above_12_at(&t, j - 2)) Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

/* count_lf(data, stop) -> int: the LF bytes in data[:stop], as data.count(b"\n", 0, stop) counts them
 * (a memchr per line instead of a test per byte: lines are tens of bytes). */
static PyObject *count_lf_bytes(PyObject *module, PyObject *args) {
    Py_buffer view;
    Py_ssize_t stop;
    if (!PyArg_ParseTuple(args, "y*n:count_lf", &view, &stop)) return NULL;
    if (stop < 0) stop += view.len;  /* the slice's bounds, as bytes.count takes them */
    if (stop < 0) stop = 0;
    if (stop > view.len) stop = view.len;
    const char *p = view.buf, *end = p + stop;
    Py_ssize_t count = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        count++;
        p++;
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(count);
}

static PyMethodDef module_methods[] = {
    {"or_runs", or_runs, METH_VARARGS,
     "or_runs(text, memo, compute, pairs) -> int: the gates' combined bits of a text's runs (see "
     "detect/text/runs.py)."},
    {"gate_block", gate_block, METH_VARARGS,
     "gate_block(messages, start, stop, text_kind, memo, compute, pairs, filters, wake_any, longest, woken, quiet, "
     "waker=None) "
     "-> list: (position, lowered, combined, mask) of each message of messages[start:stop] the engine's quiet test does not "
     "turn away (see detect/engine.py)."},
    {"count_lf", count_lf_bytes, METH_VARARGS, "count_lf(data, stop) -> int: data.count(b'\\n', 0, stop)."},
    {"may_hold_date", may_hold_date, METH_VARARGS,
     "may_hold_date(block, sep, second) -> bool: False when no header with its first (or second) date number "
     "above 12 can be in the block, text or raw UTF-8 bytes (see ingest/survey.py)."},
    {"media_vocabulary", media_vocabulary, METH_VARARGS,
     "media_vocabulary(scanner, file_attached, ios_name_types, extension_types, document, unknown, media, "
     "attachment_cls): the vocabulary with which the scanner reads media messages of the attached-file form in C "
     "(body.classify's answer for them); without it they go to classify."},
    {"feed_jsonl", feed_jsonl, METH_VARARGS,
     "feed_jsonl(scanner, block, names, author_name, fallback, discard=False) -> (records, segments): the parse "
     "records of the messages this block (None: the end of the text) closes, as Scanner.feed and encode_jsonl would "
     "give them, in bytes (and str, from fallback(message), for a record only the Python path writes exactly); "
     "with discard, only how many (the counts go to the stats all the same) and no segment."},
    {"encode_jsonl", encode_jsonl, METH_VARARGS,
     "encode_jsonl(messages, names, author_name) -> bytes | None: the parse records of `messages` as JSON "
     "lines, or None when one of them holds a value only the Python path writes exactly."},
    {NULL, NULL, 0, NULL},
};

#define WA_INTERFACE 2  /* native.INTERFACE: bump both when a signature changes */

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "whatsapp_audit._native",
    "Optional C accelerator for the parser loop and the parse records (see docs/native.md).", -1, module_methods,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    if (PyType_Ready(&CoverType) < 0) return NULL;
#define INTERN(var, s) if ((var = PyUnicode_InternFromString(s)) == NULL) return NULL
    INTERN(str_casefold, "casefold"); INTERN(s_lower, "lower"); INTERN(colon_space, ": ");
    INTERN(s_line, "line"); INTERN(s_end_line, "end_line"); INTERN(s_timestamp, "timestamp");
    INTERN(s_author, "author"); INTERN(s_text, "text"); INTERN(s_kind, "kind"); INTERN(s_attachments, "attachments");
    INTERN(s_system_prefix, "system_prefix"); INTERN(s_edited, "edited"); INTERN(s_header, "header");
    INTERN(s_system_recognised, "system_recognised"); INTERN(s_name, "name"); INTERN(s_media_type, "media_type");
    INTERN(s_omitted, "omitted"); INTERN(s_display, "display"); INTERN(s_shown_as, "shown_as");
#undef INTERN
    if ((low_max = PyLong_FromUnsignedLongLong(~0ULL)) == NULL) return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    /* The calling convention this build speaks (`native.INTERFACE`): bumped with any change of what
       a function takes or gives, so a build left from an older checkout is not used. */
    if (PyModule_AddIntConstant(module, "INTERFACE", WA_INTERFACE) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(module, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(&CoverType);
    if (PyModule_AddObject(module, "Cover", (PyObject *)&CoverType) < 0) {
        Py_DECREF(&CoverType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
