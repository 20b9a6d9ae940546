"""Reuses compiled Jinja templates across GE Data Docs builds in one process.

Every Data Docs build makes new GE views (``great_expectations.render.view.view.DefaultJinjaView``). In
GE 1.24.1 that view's ``__init__`` creates its own ``jinja2.Environment`` (``self.env``; a
ChoiceLoader over PackageLoaders for GE's ``render/view/templates`` and ``static/styles``), and
``_get_template`` calls ``self.env.get_template``. An Environment caches templates only for its
own lifetime, so each month's build parsed, code-generated and compiled the same ~25 Jinja
templates again: about half of the build.

The fix uses Jinja's own hook for exactly this, the *bytecode cache* (``Environment.
bytecode_cache``; ``BaseLoader.load`` asks it for the compiled code before compiling and gives
it the code after). :class:`_CompiledTemplates` keeps the code objects in memory for the life of
the process. A template is still loaded from GE's package (so a changed file is recompiled:
the key includes a checksum of its source) and still turned into a ``Template`` bound to the
view's own Environment, with that view's filters; only the compilation is shared. The key also
holds everything in the Environment that changes the generated code (syntax, extensions,
autoescape for the template's name, how each filter and test is called), so code compiled for
one configuration is never used with another.

The cache is attached to two subclasses of GE's views (checks/data_docs.py renders the pages with
them); GE itself is not patched. If a later GE no longer
gives its view a plain ``jinja2.Environment`` as ``env`` (or sets a bytecode cache of its own),
the subclasses leave it alone and log a warning once: same pages, just compiled per build.
tests/checks/test_data_docs_templates.py fails loudly when any of this stops holding.
"""

from __future__ import annotations

import hashlib
import html
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jinja2 import Environment
    from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


def _jinja_pass_arg(func: Any) -> str | None:
    # How Jinja calls a filter/test (plain, with context, eval context or environment) is decided
    # at compile time; the decorators record it as ``jinja_pass_arg`` (jinja2.utils._PassArg).
    mode = getattr(func, "jinja_pass_arg", None)
    return None if mode is None else str(mode)


def _compile_fingerprint(environment: Environment, name: str) -> str:
    """A digest of every Environment setting that changes the code Jinja generates for ``name``."""
    autoescape = environment.autoescape
    parts = (
        # the lexer's settings (jinja2.lexer.get_lexer keys its own lexer cache on these)
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        # the parser's and code generator's
        type(environment).__module__,
        type(environment).__qualname__,
        environment.code_generator_class.__module__,
        environment.code_generator_class.__qualname__,
        tuple(sorted(environment.extensions)),
        environment.optimized,
        environment.is_async,
        environment.sandboxed,
        # SandboxedEnvironment only
        tuple(sorted(getattr(environment, "intercepted_binops", ()))),
        tuple(sorted(getattr(environment, "intercepted_unops", ()))),
        bool(autoescape(name)) if callable(autoescape) else bool(autoescape),
        environment.finalize is not None,
        _jinja_pass_arg(environment.finalize),
        tuple(sorted((key, _jinja_pass_arg(func)) for key, func in environment.filters.items())),
        tuple(sorted((key, _jinja_pass_arg(func)) for key, func in environment.tests.items())),
    )
    return hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


_UNCACHED = ""  # bucket key of a template that could not be keyed: compiled, never stored


def _compiled_templates_class():
    from jinja2 import BytecodeCache
    from jinja2.bccache import Bucket

    class _CompiledTemplates(BytecodeCache):
        """Jinja's bytecode-cache hook, holding compiled template code objects in memory.

        Jinja's own caches (``FileSystemBytecodeCache``, ``MemcachedBytecodeCache``) marshal the
        code to bytes for storage outside the process; in one process the code object itself can
        be kept (code objects are immutable; each load still ``exec``s it into a fresh module of
        the loading Environment).
        """

        def __init__(self) -> None:
            self._code: dict[tuple[str, str], Any] = {}

        def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
            # As BytecodeCache.get_bucket, with the Environment's compile settings in the key.
            checksum = self.get_source_checksum(source)
            try:
                key = f"{self.get_cache_key(name, filename)}|{_compile_fingerprint(environment, name)}"
            except Exception:  # a cache must never stop a page rendering (GE would drop the page)
                log.warning("compiled-template cache: cannot key %s; compiling it", name, exc_info=True)
                return Bucket(environment, _UNCACHED, checksum)
            bucket = Bucket(environment, key, checksum)
            self.load_bytecode(bucket)
            return bucket

        def load_bytecode(self, bucket: Bucket) -> None:
            bucket.code = self._code.get((bucket.key, bucket.checksum))

        def dump_bytecode(self, bucket: Bucket) -> None:
            if bucket.code is None:
                raise TypeError("can't store an empty bucket")
            if bucket.key != _UNCACHED:
                self._code[(bucket.key, bucket.checksum)] = bucket.code

        def clear(self) -> None:
            self._code.clear()

        def __len__(self) -> int:
            return len(self._code)

    return _CompiledTemplates


_TEMPLATE_CODE = None  # the process's _CompiledTemplates, made on first use (jinja2 imported late)
_WARNED_UNCACHED = False


def compiled_templates():
    """The process-wide in-memory cache of compiled Data Docs templates."""
    global _TEMPLATE_CODE
    if _TEMPLATE_CODE is None:
        _TEMPLATE_CODE = _compiled_templates_class()()
    return _TEMPLATE_CODE


def _attach_template_cache(view: Any) -> None:
    """Give a freshly made GE view's Jinja Environment the shared compiled-template cache."""
    global _WARNED_UNCACHED
    from jinja2 import Environment

    env = getattr(view, "env", None)
    if isinstance(env, Environment) and env.bytecode_cache is None:
        env.bytecode_cache = compiled_templates()
    elif not _WARNED_UNCACHED:
        _WARNED_UNCACHED = True
        log.warning(
            "%s: GE's view has no plain jinja2.Environment without a bytecode cache as .env "
            "(a GE upgrade?); Data Docs templates will be compiled on every build",
            type(view).__name__,
        )


def _escaped(block: Any) -> Any:
    """A content block as GE would render it, with any plain value in it made HTML text."""
    if isinstance(block, str):
        return html.escape(block)
    if isinstance(block, list):
        return [_escaped(item) if isinstance(item, str) else item for item in block]
    return block


def _view_classes():
    from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
    from jinja2 import pass_context

    class CachedTemplatesPageView(DefaultJinjaPageView):
        """GE's page view, with templates compiled once per process (see the comment above), and
        every plain value escaped.

        GE 1.24.1 escapes the parameters of its string templates but writes a content block that
        is a plain string (or a list of them) as is: the cells of the "unexpected values" tables
        are the extract's own values, so a postcode `<img src=x onerror=...>` ran as script.
        GE's own markup comes as string templates and typed blocks, which are left to GE; a site
        of clean values renders byte for byte as GE's (tests/checks/test_data_docs_templates.py).
        """

        # The parameters are spelt out: GE's instantiate_class_from_config passes a view only
        # the runtime values its __init__ signature names.
        def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
            super().__init__(
                custom_styles_directory=custom_styles_directory,
                custom_views_directory=custom_views_directory,
            )
            _attach_template_cache(self)

        @pass_context
        def render_content_block(self, jinja_context, content_block, index=None, content_block_id=None, **kwargs):
            return super().render_content_block(
                jinja_context, _escaped(content_block), index, content_block_id, **kwargs
            )

    class CachedTemplatesIndexPageView(DefaultJinjaIndexPageView):
        """GE's index page view, with templates compiled once per process."""

        def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
            super().__init__(
                custom_styles_directory=custom_styles_directory,
                custom_views_directory=custom_views_directory,
            )
            _attach_template_cache(self)

    return CachedTemplatesPageView, CachedTemplatesIndexPageView


def __getattr__(name: str):
    # The view classes subclass GE's, so they are made on first access (GE is imported late, after
    # the analytics environment variable above); checks/data_docs.py uses them by name.
    if name in ("CachedTemplatesPageView", "CachedTemplatesIndexPageView"):
        page, index = _view_classes()
        globals().update(CachedTemplatesPageView=page, CachedTemplatesIndexPageView=index)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
