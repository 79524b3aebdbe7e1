"""The ``ecoscore`` command: a thin wrapper over the library.

Every command is one or two library calls that a test or a notebook can make too.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ecoscore import rules
from ecoscore.cells import neutral_frame
from ecoscore.cli.outputs import check_output
from ecoscore.errors import EcoscoreError, os_reason
from ecoscore.spec import list_documents, load_spec


def _documents(args) -> int:
    for doc in list_documents():
        s = load_spec(doc)
        print(f"{s.id}\t{s.family}\t{len(s.units)}个{s.unit_kind}\t{len(s.lines)}行\t{s.short_title}")
    return 0


def _rules(args) -> int:
    for name in rules.known():
        cls = rules.get(name)
        print(f"{name}\t{(cls.__doc__ or '').strip().splitlines()[0]}")
    return 0


def _score(args) -> int:
    from ecoscore.scoring.cohort import score_cohort

    if args.previous and not args.facts:
        raise EcoscoreError("给出上年数据(--previous)时也须给出当年数据文件(--facts)")
    doc = load_spec(args.doc).id
    default = {"xlsx": f"{doc}-scores.xlsx", "result": f"{doc}-scored.json"}
    out = args.out or default.get(args.format)
    check_output(out, (args.facts, args.previous, args.scenario), force=args.force)
    scenario = None
    if args.scenario:
        from ecoscore.whatif.scenario import Scenario

        scenario = Scenario.load(args.scenario)
    cohort = score_cohort(args.doc, args.facts, args.previous, year=args.year, readings=args.reading,
                          scenario=scenario)
    result = cohort.current
    fmt = args.format
    if fmt in ("table", "csv"):
        from ecoscore.reports.export import audit_frame

        if fmt == "table":
            if scenario is not None:
                from ecoscore.words import scenario_banner

                print(scenario_banner(cohort.provenance["scenario"]))
            print(ranking_table(result).to_string(index=False))
        if fmt == "csv" or args.out:
            _emit(neutral_frame(audit_frame(result)).to_csv(index=False), args.out, encoding="utf-8-sig")
    elif fmt == "json":
        _emit(cohort.to_json(), args.out)
    elif fmt == "xlsx":
        from ecoscore.reports.export import write_xlsx

        write_xlsx(cohort, out)
        print(f"已写出 {out}")
    elif fmt == "result":
        cohort.save(out)
        print(f"已写出评分结果 {out}")
    return 0


def _render(args) -> int:
    from ecoscore.batch.render import load_params, render

    opts = load_params(args.params) if args.params else {}
    given = {"doc": args.doc, "units": args.units, "year": args.year, "facts": args.facts,
             "previous": args.previous, "readings": args.reading}
    opts.update({k: v for k, v in given.items() if v is not None})
    if "doc" not in opts:
        raise EcoscoreError("请给出考核文件编号(DOC)或参数文件(--params)")
    try:
        summary = render(**opts, workers=args.workers, out_dir=args.out_dir, progress=not args.quiet,
                         notebook=args.notebook, pdf=args.pdf, scenario=args.scenario, force=args.force,
                         scheduler=args.scheduler)
    except KeyboardInterrupt:  # Ctrl-C: render has already stopped its kernels and removed its files
        print("渲染已中断:未发布任何新文件,原有报告保持不变", file=sys.stderr)
        return 130
    print(summary.describe())
    return 0 if summary.ok else 1


def ranking_table(result) -> pd.DataFrame:
    """Return the cohort as a short Chinese table for the terminal (rank words as in the reports)."""
    from ecoscore import words
    from ecoscore.reports.index_page import ordered

    s = ordered(result)
    out = pd.DataFrame({"单位": s["unit"]})
    if s["rank"].notna().any():
        out.insert(0, "位次" if result.spec.ranking.kind == "descriptive" else "排名",
                   [words.rank(r, result.spec) for r in s.to_dict("records")])
    if s["total"].notna().any():
        out["总分"] = s["total"].round(2)
    if (s["grade"] != "").any():
        out["等次"] = s["grade"]
    out["结论"] = [v if len(v) <= 30 else v[:29] + "…" for v in s["verdict"]]
    out["缺数据"] = s["missing"]
    if (s["added"] != "").any():  # units an analyst added: labelled, with the categories entered
        out["分析人员添加(类别)"] = s["added"]
    out["前置条件"] = [g if len(g) <= 24 else g[:23] + "…" for g in s["gates"]]
    return out


def _emit(text: str, out: str | None, encoding: str = "utf-8") -> None:
    if out:
        from ecoscore.atomic import write_text

        write_text(out, text, encoding=encoding)
    else:
        sys.stdout.write(text)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    p = argparse.ArgumentParser(prog="ecoscore", description="生态文明建设考核评分与报告工具")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("documents", help="列出已编码的考核文件").set_defaults(fn=_documents)
    sub.add_parser("rules", help="列出评分规则类型").set_defaults(fn=_rules)
    s = sub.add_parser("score", help="评分并输出排名与审计明细")
    s.add_argument("doc")
    s.add_argument("--facts", help="数据文件(xlsx/csv);缺省时使用示例数据")
    s.add_argument("--year", type=int, help="示例数据年度(缺省为文件年度)")
    s.add_argument("--previous", help="上年数据文件(可选,与 --facts 同用)")
    s.add_argument("--reading", action="append", help="歧义条款的解读,如 A2=from_max")
    s.add_argument("--scenario", help="假设情景文件(YAML,工作台保存);结果标明为假设情景")
    s.add_argument("--format", choices=["table", "csv", "xlsx", "json", "result"], default="table",
                   help="table 排名表;csv 审计明细;json 各单位结果(含调整与逐项);xlsx 导出工作簿;"
                        "result 评分结果文件(报告笔记本的 result 参数)")
    s.add_argument("--out", help="输出文件")
    s.add_argument("--force", action="store_true",
                   help="输出文件已存在且不是 ecoscore 写出的结果时仍覆盖(缺省拒绝,以免覆盖已填好的数据)")
    s.set_defaults(fn=_score)
    from ecoscore.cli.facts_commands import add_commands

    add_commands(sub)
    r = sub.add_parser("render", help="批量生成各单位的独立HTML报告及汇总索引页")
    r.add_argument("doc", nargs="?", help="考核文件编号;用 --params 时可省略")
    r.add_argument("--params", help="参数文件,如 params/xx-2020.yaml(命令行选项优先)")
    r.add_argument("--units", help="all(缺省)或以逗号分隔的单位名")
    r.add_argument("--year", type=int, help="考核年度(缺省为文件年度)")
    r.add_argument("--workers", type=int, help="并行数(缺省为CPU核数)")
    r.add_argument("--facts", help="数据文件(xlsx/csv);缺省时使用示例数据")
    r.add_argument("--previous", help="上年数据文件(可选,与 --facts 同用)")
    r.add_argument("--reading", action="append", help="歧义条款的解读,如 A2=from_max")
    r.add_argument("--scenario", help="假设情景文件(YAML);报告写入 <年度>-情景-<名称>/,不覆盖实际结果")
    r.add_argument("--out-dir", default="outputs", help="输出目录(缺省 outputs)")
    r.add_argument("--notebook", help="改用的报告笔记本(缺省 notebooks/<文件编号>.ipynb)")
    r.add_argument("--pdf", action="store_true",
                   help="同时为每份HTML报告(含索引页)生成A4 PDF(同名 .pdf,需 Chromium:make system)")
    r.add_argument("--scheduler", help="在 Dask 集群上渲染:调度器地址,如 tcp://10.0.0.5:8786(缺省在本机并行)")
    r.add_argument("--force", action="store_true",
                   help="全部重新生成(缺省只重新生成数据、设置或程序有变化的报告,其余沿用已生成的)")
    r.add_argument("--quiet", action="store_true", help="不显示进度条")
    r.set_defaults(fn=_render)
    w = sub.add_parser("whatif", help="启动假设测算工作台(网页,不显示代码;Voilà)")
    w.add_argument("doc", nargs="?", help="考核文件编号(缺省为第一个)")
    w.add_argument("--port", type=int, default=8866, help="端口(缺省 8866)")
    w.add_argument("--ip", default="127.0.0.1",
                   help="监听地址(缺省仅本机 127.0.0.1;在办公局域网共享用 0.0.0.0,见 README)")
    w.set_defaults(fn=_whatif)
    return p


def _whatif(args) -> int:
    """Serve notebooks/whatif.ipynb with Voilà (no code shown) until Ctrl-C."""
    import os
    import subprocess

    from ecoscore import list_documents
    from ecoscore.paths import NOTEBOOK_DIR

    if args.doc and args.doc not in list_documents():
        raise EcoscoreError(f"未知的考核文件:{args.doc};可选:{'、'.join(list_documents())}")
    env = {**os.environ, "ECOSCORE_WHATIF_DOC": args.doc or ""}
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "whatif.ipynb"), "--no-browser",
           f"--port={args.port}", f"--Voila.ip={args.ip}", "--show_tracebacks=False"]
    print(f"工作台地址:http://{'localhost' if args.ip == '127.0.0.1' else args.ip}:{args.port}/ (按 Ctrl-C 停止)")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except EcoscoreError as e:
        print(str(e), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `ecoscore validate … | head`: the reader stopped reading
        _quiet_stdout()
        return 1  # the output was cut short: never report success
    except IsADirectoryError as e:
        print(f"无法写入:{e.filename} 是一个文件夹,请给出文件名(如 结果.xlsx)", file=sys.stderr)
        return 2
    except PermissionError as e:
        print(f"无法写入或读取:{e.filename}(没有权限,或文件正被 Excel/WPS 打开)", file=sys.stderr)
        return 2
    except OSError as e:  # a missing folder of a pipe, a full disk …: said in Chinese, by the file named
        print(f"无法写入或读取:{e.filename or ''}({os_reason(e)})", file=sys.stderr)
        return 2


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush cannot fail on the closed pipe again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
