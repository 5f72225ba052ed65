"""zeph_tui.core.code.outline on small real snippets, parsed by the real tree-sitter grammars."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zeph_tui.core.code.outline import (
    SUPPORTED_LANGUAGES,
    Symbol,
    enclosing_symbol,
    identifiers_in_range,
    language_for_path,
    outline,
)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _table(symbols: list[Symbol]) -> list[tuple[str, str, str]]:
    return [(s.kind, s.qualname, s.signature) for s in symbols]


PYTHON = _src(
    '''
    import os
    from pathlib import Path

    MAX_SIZE = 3
    counter: int = 0

    class Store(Base):
        """Doc."""

        limit = 10

        @property
        def size(self, a: int,
                 b=2) -> str:
            def helper(x):
                return x
            total = Path(a)
            return os.path.join(total, render(b))

    async def main(*args: str, **kw: int) -> None:
        pass
    '''
)


def test_python_outline() -> None:
    symbols = outline(PYTHON, "python")
    assert _table(symbols) == [
        ("const", "MAX_SIZE", "MAX_SIZE = 3"),
        ("variable", "counter", "counter: int = 0"),
        ("class", "Store", "class Store(Base)"),
        ("method", "Store.size", "def size(self, a: int, b=2) -> str"),
        ("function", "Store.size.helper", "def helper(x)"),
        ("function", "main", "async def main(*args: str, **kw: int) -> None"),
    ]
    store = symbols[2]
    assert (store.line_start, store.line_end, store.parent) == (7, 18, None)
    size = symbols[3]
    assert (size.line_start, size.line_end, size.parent) == (12, 18, "Store")  # decorator line


def test_javascript_outline() -> None:
    src = _src(
        """
        const fs = require("fs");
        let count = 0;
        export const add = (a, b) => a + b;
        class Cache extends Map {
          constructor(size) { super(); this.size = size; }
          static create() { return new Cache(1); }
        }
        function* ids() { yield 1; }
        const handlers = { onClick() {} };
        """
    )
    assert _table(outline(src, "javascript")) == [
        ("const", "fs", 'const fs = require("fs")'),
        ("variable", "count", "let count = 0"),
        ("function", "add", "const add = (a, b) =>"),
        ("class", "Cache", "class Cache extends Map"),
        ("method", "Cache.constructor", "constructor(size)"),
        ("method", "Cache.create", "static create()"),
        ("function", "ids", "function* ids()"),
        ("const", "handlers", "const handlers = { onClick() {} }"),
    ]


def test_typescript_and_tsx_outline() -> None:
    src = _src(
        """
        export interface Shape { area(scale: number): number }
        export type Id = string | number;
        export abstract class Base<T> {
          abstract name(): string;
          describe(prefix: string): string { return prefix + this.name(); }
        }
        export enum Color { Red, Green }
        namespace Geometry { export function dist(a: number, b: number): number { return a - b; } }
        export function identity<T>(value: T): T { return value; }
        """
    )
    expected = [
        ("interface", "Shape", "interface Shape"),
        ("method", "Shape.area", "area(scale: number): number"),
        ("type", "Id", "type Id = string | number"),
        ("class", "Base", "abstract class Base<T>"),
        ("method", "Base.name", "abstract name(): string"),
        ("method", "Base.describe", "describe(prefix: string): string"),
        ("enum", "Color", "enum Color"),
        ("module", "Geometry", "namespace Geometry"),
        ("function", "Geometry.dist", "function dist(a: number, b: number): number"),
        ("function", "identity", "function identity<T>(value: T): T"),
    ]
    assert _table(outline(src, "typescript")) == expected
    tsx = "export const App = (props: Props) => <div>{props.title}</div>;\n"
    assert _table(outline(tsx, "tsx")) == [("function", "App", "const App = (props: Props) =>")]


def test_go_outline() -> None:
    src = _src(
        """
        package server

        import "context"

        type Server struct {
            addr string
        }

        type Handler interface {
            Serve(ctx context.Context) error
        }

        type ID = string

        func (s *Server) Start(ctx context.Context) error {
            return nil
        }

        func New(addr string) *Server { return &Server{addr: addr} }

        const Version = "1.0"

        var (
            Debug = false
        )
        """
    )
    symbols = outline(src, "go")
    assert _table(symbols) == [
        ("struct", "Server", "type Server struct"),
        ("interface", "Handler", "type Handler interface"),
        ("method", "Handler.Serve", "Serve(ctx context.Context) error"),
        ("type", "ID", "type ID = string"),
        ("method", "Server.Start", "func (s *Server) Start(ctx context.Context) error"),
        ("function", "New", "func New(addr string) *Server"),
        ("const", "Version", 'const Version = "1.0"'),
        ("variable", "Debug", "var Debug = false"),
    ]
    start = symbols[4]
    assert (start.line_start, start.line_end, start.parent) == (15, 17, "Server")


def test_c_outline_keeps_prototypes_only_without_definition() -> None:
    src = _src(
        """
        #ifndef UTIL_H
        #define UTIL_H
        #define MAX_LEN 64
        #define SQUARE(x) ((x) * (x))
        typedef struct { int x; int y; } Point;
        typedef int (*compare_fn)(const void *, const void *);
        struct node { struct node *next; int (*visit)(int); };
        enum color { RED, GREEN };
        static int add(int a, int b);
        int *lookup(const char *key);
        static int add(int a, int b) {
            int local(int);
            return a + b;
        }
        #endif
        """
    )
    assert _table(outline(src, "c")) == [
        ("macro", "MAX_LEN", "#define MAX_LEN 64"),
        ("macro", "SQUARE", "#define SQUARE(x)"),
        ("type", "Point", "typedef struct {…} Point"),
        ("type", "compare_fn", "typedef int (*compare_fn)(const void *, const void *)"),
        ("struct", "node", "struct node"),
        ("enum", "color", "enum color"),
        ("function", "lookup", "int *lookup(const char *key)"),
        ("function", "add", "static int add(int a, int b)"),
    ]


def test_cpp_outline() -> None:
    src = _src(
        """
        namespace geo {
        class Shape {
         public:
          Shape();
          virtual double area() const = 0;
        };
        }
        double geo::Shape::perimeter(int sides) { return sides; }
        template <typename T> T biggest(T a, T b) { return a > b ? a : b; }
        """
    )
    assert _table(outline(src, "cpp")) == [
        ("module", "geo", "namespace geo"),
        ("class", "geo.Shape", "class Shape"),
        ("method", "geo.Shape.Shape", "Shape()"),
        ("method", "geo.Shape.area", "virtual double area() const = 0"),
        ("method", "geo.Shape.perimeter", "double geo::Shape::perimeter(int sides)"),
        ("function", "biggest", "T biggest(T a, T b)"),
    ]


def test_rust_outline() -> None:
    src = _src(
        """
        pub struct Point { x: i32 }
        pub enum Shape { Circle, Square }
        pub trait Area { fn area(&self) -> f64; }
        impl<T> Area for Wrapper<T> {
            fn area(&self) -> f64 { 0.0 }
        }
        impl Point {
            pub fn new(x: i32) -> Self { Point { x } }
        }
        pub const ORIGIN: i32 = 0;
        type Grid = Vec<Point>;
        macro_rules! square { ($x:expr) => { $x * $x }; }
        mod tests { fn check() {} }
        """
    )
    assert _table(outline(src, "rust")) == [
        ("struct", "Point", "pub struct Point"),
        ("enum", "Shape", "pub enum Shape"),
        ("interface", "Area", "pub trait Area"),
        ("method", "Area.area", "fn area(&self) -> f64"),
        ("method", "Wrapper.area", "fn area(&self) -> f64"),
        ("method", "Point.new", "pub fn new(x: i32) -> Self"),
        ("const", "ORIGIN", "pub const ORIGIN: i32 = 0"),
        ("type", "Grid", "type Grid = Vec<Point>"),
        ("macro", "square", "macro_rules! square"),
        ("module", "tests", "mod tests"),
        ("function", "tests.check", "fn check()"),
    ]


def test_bash_and_java_outline() -> None:
    bash = "PREFIX=/usr\nbuild() {\n  make\n}\nfunction clean {\n  rm -rf out\n}\n"
    assert _table(outline(bash, "bash")) == [
        ("variable", "PREFIX", "PREFIX=/usr"),
        ("function", "build", "build()"),
        ("function", "clean", "function clean"),
    ]
    java = _src(
        """
        public class Greeter implements Runnable {
            public Greeter(String name) { }
            @Override public void run() { }
            interface Listener { void heard(String word); }
        }
        """
    )
    assert _table(outline(java, "java")) == [
        ("class", "Greeter", "public class Greeter implements Runnable"),
        ("method", "Greeter.Greeter", "public Greeter(String name)"),
        ("method", "Greeter.run", "@Override public void run()"),
        ("interface", "Greeter.Listener", "interface Listener"),
        ("method", "Greeter.Listener.heard", "void heard(String word)"),
    ]


def test_enclosing_symbol() -> None:
    assert enclosing_symbol(PYTHON, "python", 1) is None
    assert enclosing_symbol(PYTHON, "python", 10) == "Store"
    assert enclosing_symbol(PYTHON, "python", 12) == "Store.size"  # the decorator
    assert enclosing_symbol(PYTHON, "python", 16) == "Store.size.helper"
    assert enclosing_symbol(PYTHON, "python", 17) == "Store.size"
    assert enclosing_symbol(PYTHON, "python", 19) is None
    assert enclosing_symbol(PYTHON, "python", 21) == "main"
    go = "package m\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n"
    assert enclosing_symbol(go, "go", 4) == "Server.Start"
    assert enclosing_symbol(go, "go", 1) is None


def test_identifiers_in_range_excludes_local_names() -> None:
    found = identifiers_in_range(PYTHON, "python", 1, 21)
    names = [name for name, _, _ in found]
    assert names == ["os", "pathlib", "Path", "Base", "path", "join", "render"]
    assert ("render", 18, 36) in found
    # Locals, parameters, file symbols and builtins are left out.
    assert not {"a", "b", "x", "total", "helper", "Store", "self", "str", "int"} & set(names)
    assert [n for n, _, _ in identifiers_in_range(PYTHON, "python", 17, 18)] == [
        "Path",
        "os",
        "path",
        "join",
        "render",
    ]


def test_identifiers_in_range_columns_are_code_points() -> None:
    src = 'label = "héllo wörld"; show(label, Widget)\n'
    assert identifiers_in_range(src, "python", 1, 1) == [("show", 1, 24), ("Widget", 1, 36)]


def test_identifiers_in_range_go_and_typescript() -> None:
    go = _src(
        """
        package m

        import "net/http"

        func Serve(addr string) error {
            mux := http.NewServeMux()
            return http.ListenAndServe(addr, mux)
        }
        """
    )
    assert [n for n, _, _ in identifiers_in_range(go, "go", 5, 8)] == [
        "http",
        "NewServeMux",
        "ListenAndServe",
    ]
    ts = "import { Foo } from './foo';\nexport function make(n: number): Foo {\n  return new Foo(n);\n}\n"
    assert [n for n, _, _ in identifiers_in_range(ts, "typescript", 1, 4)] == ["Foo"]


def test_unknown_language_and_broken_source() -> None:
    assert outline("whatever", "cobol") == []
    assert enclosing_symbol("whatever", "cobol", 1) is None
    assert identifiers_in_range("whatever", "cobol", 1, 1) == []
    broken = "def ok(a):\n    return a\n\nclass Broken(:\n    def inner(self):\n        pass\n"
    names = [s.name for s in outline(broken, "python")]
    assert "ok" in names
    assert outline("", "python") == []


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("x.PYI", "python"),
        ("app.jsx", "javascript"),
        ("app.mjs", "javascript"),
        ("app.ts", "typescript"),
        ("app.tsx", "tsx"),
        ("main.go", "go"),
        ("util.c", "c"),
        ("util.h", "c"),
        ("util.hpp", "cpp"),
        ("util.cc", "cpp"),
        ("lib.rs", "rust"),
        ("run.sh", "bash"),
        ("Main.java", "java"),
        ("README.md", None),
        ("Makefile", None),
    ],
)
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(Path(path)) == language


def test_grammars_are_bundled() -> None:
    from tree_sitter_language_pack import get_language

    try:
        get_language("python")
    except Exception as err:  # e.g. DownloadError from tree-sitter-language-pack 1.x
        pytest.fail(
            "tree-sitter grammars unavailable: tree-sitter-language-pack 1.x downloads them at run "
            f"time; install a version that bundles them (>=0.13,<1). Cause: {err!r}"
        )


def test_long_values_and_nested_classes() -> None:
    js = "const config = {\n  name: 'x',\n" + "  key: 1,\n" * 40 + "};\n"
    assert _table(outline(js, "javascript")) == [("const", "config", "const config …")]
    py = "class A:\n    class B:\n        def m(self): pass\n"
    assert _table(outline(py, "python")) == [
        ("class", "A", "class A"),
        ("class", "A.B", "class B"),
        ("method", "A.B.m", "def m(self)"),
    ]
    assert enclosing_symbol(py, "python", 3) == "A.B.m"


def test_outline_from_many_threads() -> None:
    sources = [f"def f{i}(a):\n    return g(a)\n" * 50 for i in range(16)]
    expected = [outline(src, "python") for src in sources]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda src: outline(src, "python"), sources)) == expected


def test_every_supported_language_parses() -> None:
    for language in SUPPORTED_LANGUAGES:
        # An empty file parses to nothing; a grammar failing to load would log and give [] too,
        # so check one definition per language instead.
        snippet = {
            "python": "def f(): pass\n",
            "javascript": "function f() {}\n",
            "typescript": "function f() {}\n",
            "tsx": "function f() {}\n",
            "go": "package m\nfunc f() {}\n",
            "c": "void f(void) {}\n",
            "cpp": "void f() {}\n",
            "rust": "fn f() {}\n",
            "bash": "f() { :; }\n",
            "java": "class f {}\n",
        }[language]
        assert [s.name for s in outline(snippet, language)] == ["f"], language


def test_import_is_lazy() -> None:
    code = (
        "import sys, zeph_tui.core.code.outline, zeph_tui.core.code.repomap\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tree_sitter', 'tree_sitter_language_pack', 'bm25s', 'numpy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
