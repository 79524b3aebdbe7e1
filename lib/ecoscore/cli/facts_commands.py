"""The facts commands of ``ecoscore``: ``template``, ``validate`` and ``samples``.

Each is a thin wrapper over ``ecoscore.facts.template``, ``ecoscore.facts`` and
``ecoscore.facts.samples``; ``ecoscore.cli`` registers them with ``add_commands``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ecoscore.cells import neutral_frame
from ecoscore.cli.outputs import check_output
from ecoscore.errors import PROBLEM_HEADERS as HEADERS
from ecoscore.errors import EcoscoreError, FactsError
from ecoscore.spec import list_documents, load_spec


def _template(args) -> int:
    from ecoscore.facts.template import write_csv, write_template

    spec = load_spec(args.doc)
    out = Path(args.out or f"{spec.id}-数据填报表.xlsx")
    check_output(out, force=args.force)
    if out.suffix.lower() == ".csv":
        write_csv(spec, out, year=args.year, long=args.long)
    else:
        write_template(spec, out, year=args.year, previous_rows=not args.no_previous_rows)
    print(f"已写出 {out}")
    return 0


def _show(table: pd.DataFrame) -> str:
    t = table.rename(columns=HEADERS)
    with pd.option_context("display.width", 250, "display.max_columns", 10, "display.max_colwidth", 60,
                           "display.max_rows", 2000, "display.unicode.east_asian_width", True):
        return t.to_string(index=False)


def _validate(args) -> int:
    from ecoscore import facts

    spec = load_spec(args.doc, readings=args.reading)
    try:
        bundle = facts.read_bundle(spec, args.file, args.previous, year=args.year, strict=args.strict)
        errors, warnings = [], bundle.warnings
    except FactsError as e:
        errors, warnings = e.problems, getattr(e, "warnings", [])
    err_t, warn_t = FactsError(errors).table, FactsError(warnings).table
    if args.out:
        from ecoscore.reports.export import write_problems

        check_output(args.out, (args.file, args.previous), force=args.force)

        write_problems(err_t, warn_t, args.out)
    if args.format == "csv":
        sys.stdout.write(neutral_frame(err_t).to_csv(index=False))
    elif args.format == "json":
        sys.stdout.write(pd.DataFrame(err_t).to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        if errors:
            print(f"数据校验未通过,共 {len(errors)} 处错误(文件未被采用):")
            print(_show(err_t))
        else:
            print(f"数据校验通过:{args.file}")
        if warnings:
            print(f"\n提示 {len(warnings)} 处(不影响文件采用;请逐条核对,空白的项目按缺数据计):")
            print(_show(warn_t))
    if args.out:
        print(f"问题清单已写出 {args.out}")
    return 1 if errors else 0


def _samples(args) -> int:
    from ecoscore.facts.samples import check_samples, write_samples

    docs = args.docs or list_documents()
    if args.check:
        stale = check_samples(docs, args.out_dir)
        for doc, why in stale.items():
            print(f"{doc}: {why}")
        print("示例数据与规格一致" if not stale else "请运行 ecoscore samples 重新生成示例数据")
        return 1 if stale else 0
    failed = []
    for doc in docs:
        try:
            for path in write_samples(doc, args.out_dir):
                print(f"已写出 {path}")
        except EcoscoreError as e:  # one broken spec must not stop the others
            failed.append(doc)
            print(f"{doc}: 未能生成示例数据:{e}", file=sys.stderr)
    return 1 if failed else 0


def add_commands(sub) -> None:
    """Add the ``template``, ``validate`` and ``samples`` subcommands to a subparsers object."""
    t = sub.add_parser("template", help="生成数据填报模板(xlsx,或 csv)")
    t.add_argument("doc")
    t.add_argument("--out", help="输出文件 .xlsx 或 .csv(缺省 <文件编号>-数据填报表.xlsx)")
    t.add_argument("--year", type=int, help="填报年度(缺省为考核文件年度)")
    t.add_argument("--long", action="store_true", help="csv 用长表格式(单位,指标代码,数值)")
    t.add_argument("--no-previous-rows", action="store_true", help="不加上年数据行(上年数据用另一个文件提供)")
    t.add_argument("--force", action="store_true", help="输出文件已存在时仍覆盖(缺省拒绝,以免覆盖已填好的数据)")
    t.set_defaults(fn=_template)
    v = sub.add_parser("validate", help="校验数据文件,一次列出全部问题;有错误时退出码非零")
    v.add_argument("doc")
    v.add_argument("file", help="数据文件(xlsx/csv)")
    v.add_argument("--previous", help="上年数据文件(可选)")
    v.add_argument("--year", type=int, help="数据年度(缺省为考核文件年度)")
    v.add_argument("--reading", action="append", help="歧义条款的解读,如 A2=from_max")
    v.add_argument("--strict", action="store_true", help="把空白(缺数据)也当作错误")
    v.add_argument("--format", choices=["table", "csv", "json"], default="table")
    v.add_argument("--out", help="把问题清单写入 xlsx 或 csv 文件(可发回填报单位)")
    v.add_argument("--force", action="store_true",
                   help="问题清单文件已存在且不是 ecoscore 写出的时仍覆盖(缺省拒绝,以免覆盖已填好的数据)")
    v.set_defaults(fn=_validate)
    s = sub.add_parser("samples", help="重新生成示例数据(data/<文件编号>/示例数据-<年度>.xlsx)")
    s.add_argument("docs", nargs="*", help="考核文件编号(缺省为全部)")
    s.add_argument("--out-dir", help="输出目录(缺省 data/)")
    s.add_argument("--check", action="store_true", help="只检查已有示例数据是否与规格一致,不写文件")
    s.set_defaults(fn=_samples)
