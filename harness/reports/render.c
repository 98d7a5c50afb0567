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

int tw_report_write_set(const tw_run *run, const tw_run_score *score, const tw_report_file *files,
			size_t n, tw_error *err)
{
	static const tw_report_render_fn render[] = {
		[TW_REPORT_JUNIT] = tw_report_junit_render,
		[TW_REPORT_JSON] = tw_report_json_render,
		[TW_REPORT_HTML] = tw_report_html_render,
	};
	if (!run || (n && !files))
		return tw_error_set(err, TW_EUSAGE, "tw_report_write_set needs a run and its files");
	int refused = tw_report_refuse(run, score, "tw_report_write_set", err);
	if (refused)
		return refused;
	for (size_t i = 0; i < n; i++)
		if ((unsigned)files[i].kind >= sizeof(render) / sizeof(render[0]) || !files[i].path ||
		    !*files[i].path)
			return tw_error_set(err, TW_EUSAGE,
					    "tw_report_write_set: file %zu has no path or an "
					    "unknown kind",
					    i);
	tw_buf *bufs = calloc(n ? n : 1, sizeof(*bufs));
	tw_file_data *data = calloc(n ? n : 1, sizeof(*data));
	int rc = bufs && data ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
	size_t rendered = 0;
	for (; rc == TW_OK && rendered < n; rendered++) {
		const tw_report_file *f = &files[rendered];
		rc = f->kind == TW_REPORT_JUNIT
			     ? tw_report_junit_render_with(run, score, f->options, &bufs[rendered], err)
			     : render[f->kind](run, score, &bufs[rendered], err);
		data[rendered] = (tw_file_data){f->path, tw_buf_str(&bufs[rendered]),
					       bufs[rendered].len};
	}
	if (rc == TW_OK && n)
		rc = tw_write_files_atomic(data, n, err);
	for (size_t i = 0; bufs && i < rendered; i++)
		tw_buf_free(&bufs[i]);
	free(bufs);
	free(data);
	return rc;
}
