from apiparity.spec import pointer


def test_tokens_round_trip_through_escaping() -> None:
    for token in ["books", "/books/{id}", "a~b", "~1", "0"]:
        assert pointer.split(pointer.join("", token)) == [token]
    assert pointer.split("/") == pointer.split("") == []  # reports write the root as "/"


def test_join_escapes_rfc6901() -> None:
    assert pointer.join("", "paths", "/books/{id}", "get") == "/paths/~1books~1{id}/get"
    assert pointer.from_parts(["a~/b", 3]) == "/a~0~1b/3"


def test_lookup_walks_objects_and_arrays() -> None:
    document = {"paths": {"/books": {"get": {"tags": ["x", "y"]}}}, "n": None}
    assert pointer.lookup(document, "/paths/~1books/get/tags/1") == "y"
    assert pointer.lookup(document, "") is document
    assert pointer.lookup(document, "/n") is None


def test_existing_prefix_cuts_back_to_the_deepest_existing_node() -> None:
    document = {"paths": {"/books": {"get": {"tags": ["x"]}}}}
    assert pointer.existing_prefix(document, "/paths/~1books/get/nullable") == "/paths/~1books/get"
    assert pointer.existing_prefix(document, "/paths/~1books/get/tags/0/deeper") == "/paths/~1books/get/tags/0"
    assert pointer.existing_prefix(document, "/nowhere/at/all") == ""
    assert pointer.existing_prefix(document, "/paths/~1books") == "/paths/~1books"


def test_lookup_never_raises_on_a_wrong_pointer() -> None:
    document = {"a": [1, 2]}
    for wrong in ["/b", "/a/2", "/a/x", "a", "/a/0/deeper"]:
        assert pointer.lookup(document, wrong) is pointer.MISSING
