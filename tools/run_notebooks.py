#!/usr/bin/env python3
"""Execute the course notebooks headless and render them into a static site.

Called by `./course run` and `./course test`; see `./course help`. Each notebook runs in a fresh kernel
(the course kernelspec, whatever the notebook's own metadata says), in order. The executed .ipynb and a
self-contained .html page go to the site directory, with an index.html listing every lesson. The pages work with no
network: images are embedded, CSS inlined, MathJax served from site/mathjax (a link to a local MathJax 2.7, e.g.
Debian's libjs-mathjax), no require.js. After the run, the offline check reads every page of the site and fails the
run, naming the page, line and URL, when one would fetch a resource from outside the site (script src, stylesheet
link, img/iframe src, CSS @import/url()) or refers to a local file that is missing; plain <a href> links are fine.

A notebook fails on an error output (an uncaught exception or a compile error), on a cell time-out, on a dying
kernel, and on a Java stack trace printed to stderr. A cell tagged `raises-exception` may fail on purpose.

Exit status: 0 all selected notebooks ran clean and the site passed the offline check, 1 otherwise, 2 usage error
(e.g. unknown notebook). --check-site runs the offline check alone.
"""

import argparse
import html
from html.parser import HTMLParser
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


# MathJax 2.7 served from the site itself (build/site/mathjax/), so that formulas render with no network. The page
# refers to it relatively; provide_mathjax links (or copies) a local MathJax 2.7 there.
MATHJAX_DIR = "mathjax"
MATHJAX_URL = MATHJAX_DIR + "/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
MATHJAX_CANDIDATES = (
    "/usr/share/javascript/mathjax",  # Debian/Ubuntu: libjs-mathjax
    "/usr/share/mathjax",  # Fedora: mathjax
    "/usr/share/mathjax2",  # Arch: mathjax2
)
MATHJAX_INSTALL = ("sudo apt-get install -y libjs-mathjax (Debian/Ubuntu), or set COURSE_MATHJAX to a directory "
                   "holding MathJax 2.7 (the one with MathJax.js)")

# The lab template without its require.js <script>: no output of the course's kernel needs it (it serves widgets).
PAGE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
"""


def find_mathjax():
    """A local MathJax 2.x directory (holding MathJax.js), or None."""
    for c in [os.environ.get("COURSE_MATHJAX", "")] + list(MATHJAX_CANDIDATES):
        if c and (Path(c) / "MathJax.js").is_file():
            return Path(c).resolve()
    try:  # the classic notebook (pip, < 7) ships one too
        import notebook

        c = Path(notebook.__file__).parent / "static" / "components" / "MathJax"
        if (c / "MathJax.js").is_file():
            return c
    except Exception:
        pass
    return None


def provide_mathjax(site):
    """Makes site/mathjax a local MathJax (a symbolic link, or a copy where links are not possible); True if done."""
    target = Path(site) / MATHJAX_DIR
    if (target / "MathJax.js").is_file():
        return True
    source = find_mathjax()
    if source is None:
        print("  warning: no local MathJax found, so formulas in the pages will show as LaTeX source. Install it: "
              + MATHJAX_INSTALL)
        return False
    if target.is_symlink() or target.exists():
        if target.is_symlink() or target.is_file():
            target.unlink()
        else:
            import shutil

            shutil.rmtree(target)
    try:
        target.symlink_to(source, target_is_directory=True)
    except OSError:
        import shutil

        shutil.copytree(source, target)
    return True


def render_html(nb, title):
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_loaders=[jinja2.DictLoader({"course-page.html.j2": PAGE_TEMPLATE})],
                            template_file="course-page.html.j2")
    if hasattr(exporter, "embed_images"):
        exporter.embed_images = True
    # Everything the page loads is in the site: MathJax relatively (provide_mathjax), CSS inlined by nbconvert.
    # Distributions point mathjax_url at a file:/// path, which works on one machine only; this works anywhere.
    exporter.mathjax_url = MATHJAX_URL
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


# ------------------------------------------------------------------------------------------- offline check

class _Resources(HTMLParser):
    """Collects (line, what, url) for every resource an HTML page makes the browser fetch (not plain links)."""

    FETCHED = {("script", "src"), ("img", "src"), ("iframe", "src"), ("frame", "src"), ("embed", "src"),
               ("video", "src"), ("video", "poster"), ("audio", "src"), ("source", "src"), ("track", "src"),
               ("object", "data"), ("input", "src")}
    LINK_RELS = {"stylesheet", "icon", "shortcut", "preload", "prefetch", "modulepreload", "manifest",
                 "apple-touch-icon", "import"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        for (t, attr) in self.FETCHED:
            if tag == t and attr in a:
                self.found.append((line, "<%s %s>" % (tag, attr), a[attr]))
        if "srcset" in a:
            for part in a["srcset"].split(","):
                if part.strip():
                    self.found.append((line, "<%s srcset>" % tag, part.strip().split()[0]))
        if tag == "link" and "href" in a and set(a.get("rel", "").lower().split()) & self.LINK_RELS:
            self.found.append((line, "<link rel=%s href>" % a.get("rel"), a["href"]))
        if "style" in a:
            for url in css_urls(a["style"]):
                self.found.append((line, "style attribute url()", url))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            line = self.getpos()[0]
            for url in css_urls(data):
                self.found.append((line, "<style> @import/url()", url))


CSS_URL_RE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


def css_urls(css):
    return [next(g for g in m.groups() if g is not None) for m in CSS_URL_RE.finditer(css)]


def is_external(url):
    u = url.strip().lower()
    return u.startswith(("http:", "https:", "//", "file:", "ftp:"))


def check_offline(site):
    """Problems that keep the site's pages from working offline and on another machine: a page (or stylesheet)
    that makes the browser fetch an http(s), protocol-relative or file: URL, or a relative resource that is
    missing from the site. Plain <a href> links are fine. Returns a list of (file, line, what, url, why)."""
    site = Path(site)
    problems = []
    files = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if rel.parts and rel.parts[0] in (MATHJAX_DIR, "logs"):
            continue  # the MathJax distribution's own files, the kernel logs
        if path.suffix.lower() in (".html", ".htm", ".css") and path.is_file():
            files.append(path)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix.lower() == ".css":
            found = [(text.count("\n", 0, m.start()) + 1, "stylesheet url()/@import",
                      next(g for g in m.groups() if g is not None)) for m in CSS_URL_RE.finditer(text)]
        else:
            parser = _Resources()
            parser.feed(text)
            parser.close()
            found = parser.found
        for line, what, url in found:
            u = url.strip()
            if not u or u.lower().startswith(("data:", "#", "about:", "blob:", "javascript:")):
                continue
            if is_external(u):
                problems.append((path, line, what, u, "external resource"))
                continue
            local = (path.parent / u.split("#")[0].split("?")[0]).resolve()
            if not local.exists():
                why = "missing from the site" + ("; install MathJax: " + MATHJAX_INSTALL if MATHJAX_DIR in u else "")
                problems.append((path, line, what, u, why))
    return problems


def report_offline(site, root):
    """Runs check_offline and prints the result; True when the site is clean."""
    problems = check_offline(site)
    if not problems:
        print("Offline check: no page of %s loads anything from outside the site." % shown_path(site, root))
        return True
    print("\nOFFLINE CHECK FAILED: %d resource(s) that a page would fetch from outside the site or cannot find "
          "(pages must work with no network):" % len(problems))
    for path, line, what, url, why in problems:
        print("  %s:%d %s %s (%s)" % (shown_path(path, root), line, what, url[:200], why))
    return False


def shown_path(path, root):
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


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
    ap.add_argument("--check-site", action="store_true",
                    help="only run the offline check on the site directory (no page loads an external resource)")
    args = ap.parse_args(argv)

    root = Path.cwd()
    nb_dir = Path(args.dir).resolve()
    site = Path(args.site).resolve()
    if args.check_site:
        return 0 if report_offline(site, root) else 1
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
    provide_mathjax(site)
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
    # The whole site, not only the pages just rendered: counts as one more check in the summary.
    offline_ok = report_offline(site, root)
    if args.summary_file:
        passed = len(results) - len(failed) + (1 if offline_ok else 0)
        write_atomic(args.summary_file, "%d %d\n" % (passed, len(failed) + (0 if offline_ok else 1)))
    return 1 if failed or not offline_ok else 0


if __name__ == "__main__":
    sys.exit(main())
