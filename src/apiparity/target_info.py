"""What a report says about a loaded target: its SideInfo, its document's validation problems,
its operation count (no click: the pipeline and the commands share these)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apiparity.model import SideInfo
    from apiparity.targets.model import Target


def document_problems(target: Target, *, allow_remote_refs: bool = False) -> list[str]:
    """The validation problems of a side's document. With --allow-remote-refs, its external refs
    are first read under the one loading policy the diff and the fuzz use (`bundle_external_refs`:
    URLs allowed, `file:` and files outside its folder never), so the validator fetches nothing itself."""
    from apiparity.spec.validate import validate_document

    document = target.document
    source = target.source_path if getattr(target, "source_path", None) is not None and target.kind == "file" else None
    if allow_remote_refs:
        from apiparity.spec.refs import bundle_external_refs

        document = bundle_external_refs(document, base_dir=source.parent if source else None, allow_remote=True,
                                        label=str(target.ref))
    # a spec file's own folder: refs to files beside it are read (as `spec` reads them), nothing else
    return [str(p) for p in validate_document(document, base_path=source)]


def side_info(target: Target, validation_errors: list[str] | None = None) -> SideInfo:
    """The report model's SideInfo for a loaded target."""
    from apiparity.model import SideInfo

    info = target.document.get("info") or {}
    return SideInfo(
        ref=target.ref,
        framework=target.framework,
        interface=target.interface,
        inferred=target.inferred,
        title=info.get("title") if isinstance(info, dict) else None,
        # an inferred skeleton's info.version is a placeholder, not the service's version
        version=str(info.get("version")) if isinstance(info, dict) and info.get("version") is not None and not target.inferred else None,
        operations=count_operations(target.document),
        validation_errors=validation_errors or [],
    )


def count_operations(document: dict[str, Any]) -> int:
    from apiparity.spec.methods import HTTP_METHODS

    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for key in item if key in HTTP_METHODS)
