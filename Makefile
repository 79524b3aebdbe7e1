# ecoscore — run `make` to list the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DOCS := xx-2020 lishui-2024 dongtou-2017 shengzhou-2024 zhoushan-2020

.PHONY: help setup system test reports lint samples bench clean lab whatif

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,pdf]"
	touch $@

setup: $(VENV)/.installed ## create .venv and install ecoscore with its test tools and PDF printing

system: ## install Debian's chromium and fonts-noto-cjk (browser tests and PDFs; without the fonts Chinese prints as boxes)
	@pkgs=""; command -v chromium >/dev/null || pkgs="chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || pkgs="$$pkgs fonts-noto-cjk"; \
	if [ -n "$$pkgs" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; fi

test: setup system ## set up, then run every test (pytest exit 5 = no tests is reported, not hidden)
	@$(PY) -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

reports: setup ## set up, then render every sample report to outputs/
	@rc=0; for d in $(DOCS); do $(VENV)/bin/ecoscore render $$d || rc=1; done; \
	echo "报告已生成:outputs/<文件>/<年度>/index.html"; exit $$rc

lab: setup ## open JupyterLab (中文界面) on the what-if workbench
	$(VENV)/bin/jupyter lab notebooks/whatif.ipynb

whatif: setup ## serve the what-if workbench as a web page with no code (Voilà, http://localhost:8866/)
	$(VENV)/bin/ecoscore whatif

lint: setup ## ruff lint and format check
	$(VENV)/bin/ruff check lib tests benchmarks

samples: setup ## regenerate the sample data (示例数据) under data/
	$(VENV)/bin/ecoscore samples

bench: setup ## run the benchmarks (by hand; figures go in the closing note)
	$(PY) benchmarks/bench_score.py
	$(PY) benchmarks/bench_render.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_whatif.py

clean: ## remove rendered outputs and caches
	rm -rf outputs/*/ .pytest_cache .ruff_cache
