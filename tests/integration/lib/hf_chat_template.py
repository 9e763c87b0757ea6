"""Renders chat templates as Hugging Face's apply_chat_template sets Jinja up.

Reads a JSON array of cases on stdin, each {template, messages, tools,
add_generation_prompt, variables}; writes a JSON array of {"text": ...} or
{"error": ...}. Run with Debian's /usr/bin/python3 and its python3-jinja2:
the reference the template interpreter is compared with.
"""
import json
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


# transformers' tojson: json.dumps without HTML escaping, its options exposed.
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    env = environment()
    results = []
    for case in json.load(sys.stdin):
        try:
            template = env.from_string(case["template"])
            text = template.render(messages=case["messages"], tools=case.get("tools"),
                                   add_generation_prompt=case["add_generation_prompt"],
                                   **case.get("variables", {}))
            results.append({"text": text})
        except Exception as e:  # the case expects the same refusal from edgeai
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
