/*
 * Rendering reports, then writing them: the one way the public
 * tw_report_junit, tw_report_json and tw_report_html write a single
 * report, and tw_report_write_set a set of them, rendered first and then
 * all written or none (core/fsutil.h).
 */
#include "reports/render.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"

const char *tw_status_symbol(tw_status st)
{
	switch (st) {
	case TW_STATUS_PASSED: return TW_SYMBOL_PASSED;
	case TW_STATUS_FAILED: return TW_SYMBOL_FAILED;
	case TW_STATUS_UNREACHABLE: return TW_SYMBOL_UNREACHABLE;
	case TW_STATUS_BROKEN: return TW_SYMBOL_BROKEN;
	case TW_STATUS_SKIPPED: return TW_SYMBOL_SKIPPED;
	case TW_STATUS_LIMITED: return TW_SYMBOL_LIMITED;
	}
	return "?";
}

const char *tw_stamp_shown(char *out, size_t size, const char *stamp)
{
	if (!stamp)
		stamp = "";
	size_t n = strlen(stamp);
	/* Zoneless: ends in the seconds' digits (or a fraction of them) right
	 * after "T..:..:". A "Z" or an offset ("+02:00") is kept as it is. */
	bool zoneless = n >= 19 && stamp[10] == 'T' && !strpbrk(stamp + 19, "Zz+-") &&
			stamp[n - 1] >= '0' && stamp[n - 1] <= '9';
	snprintf(out, size, "%s%s", stamp, zoneless ? "Z" : "");
	return out;
}

int tw_report_refuse(const tw_run *run, const tw_run_score *score, const char *name,
		     tw_error *err)
{
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "%s needs a run", name);
	/* Its statuses would read "passed" and its figures 0: a report of a
	 * rehearsal that never took place. */
	if (!tw_run_performed(run))
		return tw_error_set(err, TW_EUSAGE,
				    "%s: the run was never executed: nothing to report (call "
				    "tw_run_execute first)",
				    name);
	return tw_score_check_run(score, run, name, err);
}

int tw_report_write(tw_report_render_fn render, const char *name, const tw_run *run,
		    const tw_run_score *score, const char *path, tw_error *err)
{
	if (!run || !path || !*path)
		return tw_error_set(err, TW_EUSAGE, "%s needs a run and a path", name);
	int refused = tw_report_refuse(run, score, name, err);
	if (refused)
		return refused;
	tw_buf out;
	int rc = render(run, score, &out, err);
	if (!rc)
		rc = tw_write_file_atomic(path, tw_buf_str(&out), out.len, err);
	tw_buf_free(&out);
	return rc;
}

/* The size of each version of tw_report_file_ext as its header declared
 * it, trailing padding included: the stride of a caller's array, a row
 * per version (TW_VERSION_END rounded up to the struct's alignment). */
#define FILE_EXT_ALIGN _Alignof(tw_report_file_ext)
#define FILE_EXT_STRIDE(end) (((end) + FILE_EXT_ALIGN - 1) / FILE_EXT_ALIGN * FILE_EXT_ALIGN)
static const size_t file_ext_end[] = {TW_VERSION_END(tw_report_file_ext, options)};
static const size_t file_ext_stride[] = {
	FILE_EXT_STRIDE(TW_VERSION_END(tw_report_file_ext, options))};
_Static_assert(sizeof(file_ext_end) / sizeof(file_ext_end[0]) == TW_REPORT_FILE_EXT_VERSION,
	       "a size per version");
_Static_assert(sizeof(file_ext_stride) / sizeof(file_ext_stride[0]) ==
		       TW_REPORT_FILE_EXT_VERSION,
	       "a stride per version");
_Static_assert(FILE_EXT_STRIDE(TW_VERSION_END(tw_report_file_ext, options)) ==
		       sizeof(tw_report_file_ext),
	       "the current version's stride is the struct's size");
/* An earlier version's stride is computed with today's alignment: a new
 * field may not be aligned more strictly than the pointer already there. */
_Static_assert(FILE_EXT_ALIGN == _Alignof(const char *), "no field aligned past a pointer");

/* The options each kind takes. */
static const unsigned kind_options[] = {
	[TW_REPORT_JUNIT] = TW_REPORT_JUNIT_LOCATIONS,
	[TW_REPORT_JSON] = 0,
	[TW_REPORT_HTML] = 0,
};
#define KINDS (sizeof(kind_options) / sizeof(kind_options[0]))

/* files (of this library's layout) rendered, then written as one set. */
static int write_set(const tw_run *run, const tw_run_score *score, const tw_report_file_ext *files,
		     size_t n, const char *who, tw_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const tw_report_file_ext *f = &files[i];
		if ((unsigned)f->kind >= KINDS || !f->path || !*f->path)
			return tw_error_set(err, TW_EUSAGE, "%s: file %zu has no path or an unknown kind",
					    who, i);
		if (f->options & ~(unsigned)TW_REPORT_JUNIT_LOCATIONS)
			return tw_error_set(err, TW_EUSAGE,
					    "%s: file %zu (%s): options 0x%x: this library knows only "
					    "TW_REPORT_JUNIT_LOCATIONS (0x%x)",
					    who, i, f->path, f->options, TW_REPORT_JUNIT_LOCATIONS);
		if (f->options & ~kind_options[f->kind])
			return tw_error_set(err, TW_EUSAGE,
					    "%s: file %zu (%s): TW_REPORT_JUNIT_LOCATIONS applies to a "
					    "JUnit report only",
					    who, i, f->path);
	}
	tw_buf *bufs = calloc(n ? n : 1, sizeof(*bufs));
	tw_file_data *data = calloc(n ? n : 1, sizeof(*data));
	int rc = bufs && data ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
	size_t rendered = 0;
	for (; rc == TW_OK && rendered < n; rendered++) {
		const tw_report_file_ext *f = &files[rendered];
		tw_buf *out = &bufs[rendered];
		switch (f->kind) {
		case TW_REPORT_JUNIT:
			rc = tw_report_junit_render_with(run, score, f->options, out, err);
			break;
		case TW_REPORT_JSON: rc = tw_report_json_render(run, score, out, err); break;
		case TW_REPORT_HTML: rc = tw_report_html_render(run, score, out, err); break;
		}
		data[rendered] = (tw_file_data){f->path, tw_buf_str(out), out->len};
	}
	if (rc == TW_OK && n)
		rc = tw_write_files_atomic(data, n, err);
	for (size_t i = 0; bufs && i < rendered; i++)
		tw_buf_free(&bufs[i]);
	free(bufs);
	free(data);
	return rc;
}

/* Checks what every set needs, then gives *copy room for n files of this
 * library's layout (freed by the caller). */
static int set_start(const tw_run *run, const tw_run_score *score, const void *files, size_t n,
		     const char *who, tw_report_file_ext **copy, tw_error *err)
{
	*copy = NULL;
	if (!run || (n && !files))
		return tw_error_set(err, TW_EUSAGE, "%s needs a run and its files", who);
	int refused = tw_report_refuse(run, score, who, err);
	if (refused)
		return refused;
	*copy = calloc(n ? n : 1, sizeof(**copy));
	return *copy ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
}

int tw_report_write_set(const tw_run *run, const tw_run_score *score, const tw_report_file *files,
			size_t n, tw_error *err)
{
	tw_report_file_ext *copy;
	int rc = set_start(run, score, files, n, "tw_report_write_set", &copy, err);
	for (size_t i = 0; rc == TW_OK && i < n; i++)
		copy[i] = (tw_report_file_ext){TW_REPORT_FILE_EXT_VERSION, files[i].kind,
					       files[i].path, 0};
	if (rc == TW_OK)
		rc = write_set(run, score, copy, n, "tw_report_write_set", err);
	free(copy);
	return rc;
}

int tw_report_write_set_ext(const tw_run *run, const tw_run_score *score,
			    const tw_report_file_ext *files, size_t n, tw_error *err)
{
	static const char who[] = "tw_report_write_set_ext";
	tw_report_file_ext *copy;
	int rc = set_start(run, score, files, n, who, &copy, err);
	/* The caller's array has its header's stride: its first entry says
	 * which version that was. */
	unsigned version = rc == TW_OK && n ? files[0].version : TW_REPORT_FILE_EXT_VERSION;
	if (rc == TW_OK)
		rc = tw_figures_version_check(version, TW_REPORT_FILE_EXT_VERSION,
					      "tw_report_file_ext", err);
	const unsigned char *at = (const unsigned char *)files;
	for (size_t i = 0; rc == TW_OK && i < n; i++, at += file_ext_stride[version - 1]) {
		memcpy(&copy[i], at, file_ext_end[version - 1]);
		if (copy[i].version != version)
			rc = tw_error_set(err, TW_EUSAGE,
					  "%s: file %zu declares version %u, file 0 version %u: one "
					  "array, one version (initialise each with "
					  "TW_REPORT_FILE_EXT_INIT)",
					  who, i, copy[i].version, version);
	}
	if (rc == TW_OK)
		rc = write_set(run, score, copy, n, who, err);
	free(copy);
	return rc;
}
