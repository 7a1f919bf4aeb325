#!/usr/bin/env python3
"""Execute the course notebooks headless and render them into a static site.

Called by `./course run` and `./course test`; see `./course help`. Each notebook runs in a fresh kernel
(the course kernelspec, whatever the notebook's own metadata says), in order. The executed .ipynb and a
self-contained .html page go to the site directory, with an index.html listing every lesson.

A notebook fails on an error output (an uncaught exception or a compile error), on a cell time-out, on a dying
kernel, and on a Java stack trace printed to stderr. A cell tagged `raises-exception` may fail on purpose.

Exit status: 0 all selected notebooks ran clean, 1 at least one failed, 2 usage error (e.g. unknown notebook).
"""

import argparse
import html
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

NOTEBOOK_RE = re.compile(r"^(\d\d)-[A-Za-z0-9_.-]+\.ipynb$")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# An exception header followed by a stack frame: what printStackTrace() and uncaught exceptions look like.
STACK_TRACE_RE = re.compile(r"(?m)^\S*(Exception|Error)\b.*\n(\s*Caused by:.*\n)?\s+at [\w$.<>/]+\(.*\)")
TRACEBACK_LINES = 14
START_ATTEMPTS = 3  # a kernel that never answers at start-up is replaced (see tools/rjk-patch)


def strip_ansi(text):
    return ANSI_RE.sub("", text)


def write_atomic(path, data):
    """Writes text to path through a temporary file in the same directory, then renames it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix="." + path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def list_notebooks(directory):
    return sorted(p for p in Path(directory).iterdir() if NOTEBOOK_RE.match(p.name)) if Path(directory).is_dir() else []


def select(notebooks, wanted):
    """Resolves "00", "00-welcome", "00-welcome.ipynb" or a path; returns (selected, unknown)."""
    if not wanted:
        return list(notebooks), []
    chosen, unknown = [], []
    for w in wanted:
        key = Path(w).name
        if key.endswith(".ipynb"):
            key = key[: -len(".ipynb")]
        hits = [nb for nb in notebooks if nb.stem == key or (re.fullmatch(r"\d+", key) and nb.name[:2] == key.zfill(2))]
        if not hits:
            unknown.append(w)
        for h in hits:
            if h not in chosen:
                chosen.append(h)
    return sorted(chosen), unknown


def title_of(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\s*#+\s+(.*\S)\s*$", line)
            if m:
                return re.sub(r"[*_`]", "", m.group(1))
    return fallback


def first_line(text, limit=100):
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def stderr_trace(cell):
    """The stack trace a code cell printed to stderr, or None. (rapaio sends stderr line by line, so join first.)"""
    text = "".join(strip_ansi(out.get("text", "")) for out in cell.get("outputs", [])
                   if out.get("output_type") == "stream" and out.get("name") == "stderr")
    m = STACK_TRACE_RE.search(text)
    return text[m.start():] if m else None


def execute(path, kernel, timeout, startup_timeout, log_path):
    """Runs one notebook; returns (executed notebook, result dict). The kernel's own output goes to log_path."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    title = title_of(nb, path.stem)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Java (bigmodels course)", "language": "java"}
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    current = {"index": None, "done": 0}

    def on_start(cell, cell_index, **_):
        current["index"] = cell_index

    def on_complete(cell, cell_index, **_):
        current["done"] += 1

    result = {"notebook": path.stem, "title": title, "status": "ok", "cells_total": len(code_cells), "error": None}
    start = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, START_ATTEMPTS + 1):
        current["index"] = None
        current["done"] = 0
        client = NotebookClient(
            nb,
            timeout=timeout,
            startup_timeout=startup_timeout,
            kernel_name=kernel,
            allow_errors=False,
            record_timing=True,
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_start=on_start,
            on_cell_complete=on_complete,
        )
        outcome = run_client(client, nb, current, result, timeout, log_path, attempt)
        if outcome != "no-start" or attempt == START_ATTEMPTS:
            break
        print("  (%s: the kernel did not answer within %s s; starting a fresh one)" % (path.stem, startup_timeout))
        sys.stdout.flush()
    result["seconds"] = round(time.monotonic() - start, 1)
    result["cells_run"] = current["done"]
    return nb, result


def run_client(client, nb, current, result, timeout, log_path, attempt):
    """Executes nb with client, filling result; returns "ok", "failed" or "no-start" (kernel never answered)."""
    import atexit
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    result["status"], result["error"] = "ok", None
    log = open(log_path, "w" if attempt == 1 else "a", encoding="utf-8")
    try:
        client.execute(stdout=log, stderr=log)
        code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        for i in code_cells:
            if "raises-exception" in nb.cells[i].metadata.get("tags", []):
                continue
            trace = stderr_trace(nb.cells[i])
            if trace:
                result["status"] = "FAILED"
                result["error"] = error_info(nb, i, "stack trace on stderr", first_line(trace), trace)
                return "failed"
        return "ok"
    except CellExecutionError as e:
        result["status"] = "FAILED"
        # Prefer the cell's own error output: rapaio puts the real exception (or the compiler's message) in the
        # traceback, while ename/evalue say EvalException / CompilerException.
        err = None
        if current["index"] is not None:
            err = next((o for o in nb.cells[current["index"]].get("outputs", []) if o.get("output_type") == "error"), None)
        if err is not None:
            tb = "\n".join(err.get("traceback", []))
            result["error"] = error_info(nb, current["index"], err.get("ename", ""), err.get("evalue", ""), tb)
        else:
            result["error"] = error_info(nb, current["index"], e.ename, e.evalue, e.traceback)
    except CellTimeoutError as e:
        result["status"] = "FAILED"
        result["error"] = error_info(nb, current["index"], "TimeoutError",
                                     "cell did not finish within %s s (COURSE_CELL_TIMEOUT)" % timeout, str(e))
    except DeadKernelError as e:
        result["status"] = "FAILED"
        result["error"] = error_info(nb, current["index"], "DeadKernelError", "the kernel died", str(e))
    except Exception as e:  # kernel failed to start, missing kernelspec, ...
        result["status"] = "FAILED"
        result["error"] = error_info(nb, current["index"], type(e).__name__, str(e), "")
        if current["index"] is None and "didn't respond" in str(e):
            return "no-start"
    finally:
        log.close()
        # nbclient 0.7 can leave its atexit clean-up registered after a failed start; it then fails noisily at exit.
        try:
            atexit.unregister(client._cleanup_kernel)
        except Exception:
            pass
    return "failed"


def error_info(nb, index, ename, evalue, traceback):
    info = {"ename": ename, "evalue": strip_ansi(evalue or "").strip(), "cell": None, "code_cell": None, "source": ""}
    if index is not None:
        info["cell"] = index + 1
        info["code_cell"] = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
        info["source"] = first_line(nb.cells[index].source)
    lines = [ln.rstrip() for ln in strip_ansi(traceback or "").splitlines() if ln.strip() and not set(ln.strip()) <= set("-")]
    info["traceback"] = lines[:TRACEBACK_LINES]
    # The headline: the exception line of the traceback when there is one, else ename: evalue.
    head = next((ln.strip() for ln in lines if re.match(r"^[\w.$]+(Exception|Error)\b", ln.strip())), None)
    if head is None and lines and lines[0].strip().endswith(":"):  # rapaio's "Compile error:" header
        head = " ".join(ln.strip() for ln in lines[:1] + lines[-1:])
    info["headline"] = head or ("%s: %s" % (ename, info["evalue"]) if info["evalue"] else ename)
    return info


def render_html(nb, title):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    if hasattr(exporter, "embed_images"):
        exporter.embed_images = True
    # Distributions (Debian) point these at local files; the page must work on any machine with a browser.
    exporter.mathjax_url = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    if hasattr(exporter, "require_js_url"):
        exporter.require_js_url = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Engineering large deep-learning models, in Java</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.ok {{ color: #1a7f37; }} .FAILED {{ color: #cf222e; font-weight: bold; }} .not-run {{ color: #888; }}
</style></head><body>
<h1>Engineering large deep-learning models, in Java</h1>
<p>Rendered by <code>./course run</code> on {when}.</p>
<table><tr><th>#</th><th>Lesson</th><th>Status</th><th>Seconds</th><th>Cells</th><th>Notebook</th></tr>
{rows}
</table></body></html>
"""


def write_index(site, notebooks, status):
    rows = []
    for path in notebooks:
        st = status.get(path.stem, {})
        s = st.get("status", "not run")
        page = path.stem + ".html"
        title = html.escape(st.get("title") or path.stem)
        link = '<a href="%s">%s</a>' % (page, title) if (site / page).exists() else title
        nb_link = '<a href="%s.ipynb">.ipynb</a>' % path.stem if (site / (path.stem + ".ipynb")).exists() else ""
        cells = "%s/%s" % (st["cells_run"], st["cells_total"]) if "cells_run" in st else ""
        rows.append('<tr><td>%s</td><td>%s</td><td class="%s">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td></tr>'
                    % (path.name[:2], link, s.replace(" ", "-"), html.escape(s), st.get("seconds", ""), cells, nb_link))
    write_atomic(site / "index.html", INDEX_TEMPLATE.format(when=time.strftime("%Y-%m-%d %H:%M"), rows="\n".join(rows)))


def print_failure(path, result, root):
    e = result["error"]
    where = "cell %s (code cell %s): %s" % (e["cell"], e["code_cell"], e["source"]) if e["cell"] else "before the first cell"
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    print("\nFAILED %s, %s" % (shown, where))
    print("  " + first_line(e.get("headline") or e["ename"], 1000))
    noise = ("jdk.internal.reflect.", "java.lang.reflect.Method.invoke", "org.rapaio.jupyter.", "java.util.concurrent.")
    lines = [ln for ln in e["traceback"] if not any(n in ln for n in noise)]
    if lines and lines[0].strip() == (e.get("headline") or "").strip():
        lines = lines[1:]
    for line in lines:
        print("  | " + line[:200])
    print("  (executed notebook: %s; kernel log: %s)" % (result.get("executed"), result.get("log")))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Execute course notebooks into a static site.")
    ap.add_argument("notebooks", nargs="*", help="numbers (00) or names (00-welcome); default: all")
    ap.add_argument("--dir", default="notebooks", help="notebook directory")
    ap.add_argument("--site", default="build/site", help="output directory")
    ap.add_argument("--kernel", default="bigmodels-java", help="kernelspec name")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("COURSE_CELL_TIMEOUT", "600")),
                    help="per-cell timeout in seconds (env COURSE_CELL_TIMEOUT, default 600)")
    ap.add_argument("--startup-timeout", type=int, default=90,
                    help="seconds a kernel may take to answer at start-up before a fresh one is started (3 tries)")
    ap.add_argument("--check", action="store_true", help="only check the selection, run nothing")
    ap.add_argument("--summary-file", help="write 'PASSED FAILED' counts here")
    args = ap.parse_args(argv)

    root = Path.cwd()
    nb_dir = Path(args.dir).resolve()
    site = Path(args.site).resolve()
    notebooks = list_notebooks(nb_dir)
    selected, unknown = select(notebooks, args.notebooks)
    if unknown:
        valid = ", ".join(p.stem for p in notebooks) or "(none)"
        print("course: unknown notebook %s; valid: %s" % (", ".join("'%s'" % u for u in unknown), valid), file=sys.stderr)
        return 2
    if not notebooks:
        print("course: no notebooks (NN-name.ipynb) in %s" % nb_dir, file=sys.stderr)
        return 2
    if args.check:
        return 0

    site.mkdir(parents=True, exist_ok=True)
    status_file = site / "status.json"
    try:
        status = json.loads(status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        status = {}

    header = "%-32s %-8s %8s %7s" % ("notebook", "status", "seconds", "cells")
    print(header)
    print("-" * len(header))
    sys.stdout.flush()
    results = []
    for path in selected:
        nb, result = execute(path, args.kernel, args.timeout, args.startup_timeout,
                             site / "logs" / (path.stem + ".kernel.log"))
        import nbformat

        write_atomic(site / (path.stem + ".ipynb"), nbformat.writes(nb))
        try:
            write_atomic(site / (path.stem + ".html"), render_html(nb, result["title"]))
        except Exception as ex:  # a rendering problem must not hide the execution result
            print("  (could not render %s.html: %s)" % (path.stem, ex))
        result["executed"] = str(site / (path.stem + ".ipynb"))
        result["log"] = str(site / "logs" / (path.stem + ".kernel.log"))
        status[path.stem] = result
        write_atomic(status_file, json.dumps(status, indent=1))
        results.append((path, result))
        print("%-32s %-8s %8.1f %7s" % (path.stem[:32], result["status"], result["seconds"],
                                         "%d/%d" % (result["cells_run"], result["cells_total"])))
        sys.stdout.flush()

    write_index(site, notebooks, status)
    failed = [(p, r) for p, r in results if r["status"] != "ok"]
    for p, r in failed:
        print_failure(p, r, root)
    print("\n%d of %d notebooks ran clean; site: %s" % (len(results) - len(failed), len(results), site / "index.html"))
    if args.summary_file:
        write_atomic(args.summary_file, "%d %d\n" % (len(results) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
