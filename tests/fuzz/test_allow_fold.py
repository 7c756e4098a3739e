"""An Allow list that differs by a method NEW does not route is that route's own group seen from
OPTIONS: folded into it (bookstore R1: DELETE /authors/{id} not ported answers 405, and OPTIONS
/authors/{id} lists no DELETE), never a second cause titled under GET."""

from __future__ import annotations

from apiparity.fuzz.group import fold_allow_into_routes, merge_across_operations
from apiparity.model import GroupOperation, HttpRequest, HttpResponse, MismatchExample, MismatchGroup


def _example(method: str, path: str, old: int, new: int, old_allow: str | None = None, new_allow: str | None = None) -> MismatchExample:
    def response(status: int, allow: str | None) -> HttpResponse:
        return HttpResponse(status=status, headers={"allow": allow} if allow is not None else {}, body=None)

    return MismatchExample(request=HttpRequest(method=method, path=path, query=[], headers={}, body=None),
                           old=response(old, old_allow), new=response(new, new_allow), curl_old="", curl_new="", differences=[])


def _group(operation: str, signature: str, kind: str, examples: list[MismatchExample], count: int, rank: int) -> MismatchGroup:
    return MismatchGroup(operation=operation, signature=signature, kind=kind, count=count, examples=examples, rank=rank,  # type: ignore[arg-type]
                         operations=[GroupOperation(operation, count)])


def _delete_not_ported() -> MismatchGroup:
    return _group("DELETE /authors/{author_id}", "status 204 != 405", "status",
                  [_example("DELETE", "/authors/6", 204, 405, new_allow="GET, PUT, PATCH")], 16, 1)


def _options_allow(old_allow: str, new_allow: str) -> MismatchGroup:
    return _group("GET /authors/{author_id}", "header:allow value changed", "header",
                  [_example("OPTIONS", "/authors/1", 200, 200, old_allow, new_allow)], 1, 4)


def test_an_allow_list_missing_an_unrouted_method_folds_into_that_routes_group() -> None:
    groups = merge_across_operations([_delete_not_ported(), _options_allow("DELETE, GET, HEAD, OPTIONS, PATCH, PUT", "GET, PATCH, PUT")], 5)
    assert len(groups) == 1
    (group,) = groups
    assert group.key == "DELETE /authors/{author_id} | status 204 != 405"
    # counted on the route: GET /authors/{author_id} itself answers fine and stays ready
    assert [(o.operation, o.count) for o in group.operations] == [("DELETE /authors/{author_id}", 17)]
    assert group.count == 17 and "header:allow value changed" in group.related and group.rank == 1
    # its examples stay the route's own (`merge` reads a status group's pairs from them)
    assert [e.request.method for e in group.examples] == ["DELETE"]


def test_an_allow_list_that_differs_only_by_head_and_options_stays_apart() -> None:
    """Flask's automatic HEAD/OPTIONS say nothing of a route: no host, nothing folded."""
    groups = fold_allow_into_routes([_delete_not_ported(), _options_allow("GET, HEAD, OPTIONS, PATCH, PUT", "GET, PATCH, PUT")])
    assert len(groups) == 2


def test_an_allow_difference_without_the_routes_own_group_stays() -> None:
    allow = _options_allow("DELETE, GET, PATCH, PUT", "GET, PATCH, PUT")
    assert fold_allow_into_routes([allow]) == [allow]
    # the DELETE group answers 405 on neither side: another cause, nothing folded
    other = _group("DELETE /authors/{author_id}", "status 204 != 409", "status", [_example("DELETE", "/authors/6", 204, 409)], 3, 3)
    assert len(fold_allow_into_routes([other, allow])) == 2
