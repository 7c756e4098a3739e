"""FastAPI port of the cookbook API, matching what the Flask app's clients see.

On top of the one-to-one port (same envelopes, same models):
- `redirect_slashes=False` (Flask answers `/recipes/` with a 404, not a redirect);
- one handler for Starlette's HTTP errors writing Flask's JSON error body (werkzeug's texts for
  unknown routes and methods), and `Missing` for the 404 of a missing chef or recipe;
- validation errors as the legacy's flat `[{field, message, type}]` list with 422, keeping only the
  errors of the first part flask-openapi3 validates (path, query, body: it stops there);
- a non-digit or negative `{chef_id}`/`{recipe_id}` is werkzeug's 404 (Flask's `<int:>` converter never routes it);
- the 201 of `POST /recipes` carries the same relative `Location` header;
- Flask's own HEAD/OPTIONS and first-value-wins query parameters (tests/pairs/flask_parity.py).
"""

from __future__ import annotations

import copy
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


class Restaurant(BaseModel):
    name: str
    city: str


class Chef(BaseModel):
    id: int
    name: str
    country: str
    restaurant: Restaurant


class ChefSummary(BaseModel):
    id: int
    name: str
    country: str


class ChefList(BaseModel):
    chefs: list[ChefSummary]


class ChefEnvelope(BaseModel):
    chef: Chef


class Recipe(BaseModel):
    id: int
    title: str
    cuisine: str
    minutes: int
    servings: int
    chef_id: int


class RecipeEnvelope(BaseModel):
    recipe: Recipe


class RecipePage(BaseModel):
    recipes: list[Recipe]
    page: int
    per_page: int
    total: int


class RecipeCreate(BaseModel):
    title: str = Field(..., min_length=1, max_length=80)
    cuisine: str = Field(..., min_length=1, max_length=40)
    minutes: int = Field(..., ge=1, le=600)
    servings: int = Field(2, ge=1, le=20)
    chef_id: int = Field(..., ge=1)


class RecipePatch(BaseModel):
    title: str | None = Field(None, min_length=1, max_length=80)
    cuisine: str | None = Field(None, min_length=1, max_length=40)
    minutes: int | None = Field(None, ge=1, le=600)
    servings: int | None = Field(None, ge=1, le=20)


class Error(BaseModel):
    error: str
    message: str


class FieldError(BaseModel):
    field: str
    message: str
    type: str


_CHEFS = [
    Chef(id=1, name="Lidia Bastianich", country="Italy", restaurant=Restaurant(name="Felidia", city="New York")),
    Chef(id=2, name="Massimo Bottura", country="Italy", restaurant=Restaurant(name="Osteria Francescana", city="Modena")),
    Chef(id=3, name="Yotam Ottolenghi", country="United Kingdom", restaurant=Restaurant(name="ROVI", city="London")),
    Chef(id=4, name="Dominique Crenn", country="France", restaurant=Restaurant(name="Atelier Crenn", city="San Francisco")),
]
_RECIPES = [
    Recipe(id=1, title="Risotto alla milanese", cuisine="Italian", minutes=40, servings=4, chef_id=2),
    Recipe(id=2, title="Tortellini in brodo", cuisine="Italian", minutes=90, servings=6, chef_id=2),
    Recipe(id=3, title="Shakshuka", cuisine="Middle Eastern", minutes=30, servings=2, chef_id=3),
    Recipe(id=4, title="Roasted aubergine", cuisine="Middle Eastern", minutes=50, servings=4, chef_id=3),
    Recipe(id=5, title="Osso buco", cuisine="Italian", minutes=150, servings=4, chef_id=1),
    Recipe(id=6, title="Sole meuniere", cuisine="French", minutes=25, servings=2, chef_id=4),
    Recipe(id=7, title="Tarte tatin", cuisine="French", minutes=75, servings=8, chef_id=4),
    Recipe(id=8, title="Fattoush", cuisine="Middle Eastern", minutes=20, servings=4, chef_id=3),
    Recipe(id=9, title="Panna cotta", cuisine="Italian", minutes=30, servings=6, chef_id=1),
]

chefs: dict[int, Chef] = {}
recipes: dict[int, Recipe] = {}


def reset() -> None:
    chefs.clear()
    chefs.update({c.id: copy.deepcopy(c) for c in _CHEFS})
    recipes.clear()
    recipes.update({r.id: copy.deepcopy(r) for r in _RECIPES})


reset()


class Missing(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


VALIDATION = {422: {"description": "Unprocessable Content", "model": list[FieldError]}}
NOT_FOUND = {404: {"model": Error}}
app = FastAPI(title="Cookbook", version="2.1", redirect_slashes=False, responses=VALIDATION)


@app.get("/chefs", response_model=ChefList)
def list_chefs(
    country: Annotated[str | None, Query(max_length=40, description="Country of the chef, any letter case")] = None,
) -> ChefList:
    """Chefs, optionally of one country (any letter case)."""
    found = [chefs[i] for i in sorted(chefs)]
    if country is not None:
        found = [c for c in found if c.country.casefold() == country.casefold()]
    return ChefList(chefs=[ChefSummary(id=c.id, name=c.name, country=c.country) for c in found])


@app.get("/chefs/{chef_id}", response_model=ChefEnvelope, responses=NOT_FOUND)
def get_chef(chef_id: int) -> ChefEnvelope:
    """One chef with their restaurant."""
    chef = chefs.get(_routed(chef_id))
    if chef is None:
        raise Missing(f"chef {chef_id}")
    return ChefEnvelope(chef=chef)


@app.get("/recipes", response_model=RecipePage)
def list_recipes(
    page: Annotated[int, Query(ge=1, le=1000, description="1-based page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=50, description="Recipes per page")] = 5,
) -> RecipePage:
    """Recipes by id, one page at a time."""
    found = [recipes[i] for i in sorted(recipes)]
    start = (page - 1) * per_page
    return RecipePage(recipes=found[start:start + per_page], page=page, per_page=per_page, total=len(found))


CREATED = {201: {"description": "Created",
                 "headers": {"Location": {"description": "URL of the new recipe", "schema": {"type": "string"}}}},
           404: {"model": Error}}


@app.post("/recipes", response_model=RecipeEnvelope, status_code=201, responses=CREATED)
def create_recipe(body: RecipeCreate, response: Response) -> RecipeEnvelope:
    """Add a recipe of an existing chef."""
    if body.chef_id not in chefs:
        raise Missing(f"chef {body.chef_id}")
    recipe = Recipe(id=max(recipes, default=0) + 1, **body.model_dump())
    recipes[recipe.id] = recipe
    response.headers["Location"] = f"/recipes/{recipe.id}"
    return RecipeEnvelope(recipe=recipe)


def _routed(value: int) -> int:
    """Flask's `<int:>` converter matches no negative number: the route answers werkzeug's 404."""
    if value < 0:
        raise StarletteHTTPException(404)
    return value


def _recipe(recipe_id: int) -> Recipe:
    recipe = recipes.get(_routed(recipe_id))
    if recipe is None:
        raise Missing(f"recipe {recipe_id}")
    return recipe


@app.get("/recipes/{recipe_id}", response_model=RecipeEnvelope, responses=NOT_FOUND)
def get_recipe(recipe_id: int) -> RecipeEnvelope:
    """One recipe."""
    return RecipeEnvelope(recipe=_recipe(recipe_id))


@app.patch("/recipes/{recipe_id}", response_model=RecipeEnvelope, responses=NOT_FOUND)
def update_recipe(recipe_id: int, body: RecipePatch) -> RecipeEnvelope:
    """Change the fields sent, keep the others."""
    recipe = _recipe(recipe_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    updated = recipe.model_copy(update=changes)
    recipes[updated.id] = updated
    return RecipeEnvelope(recipe=updated)


@app.delete("/recipes/{recipe_id}", status_code=204, responses=NOT_FOUND)
def delete_recipe(recipe_id: int) -> Response:
    """Remove a recipe."""
    _recipe(recipe_id)
    del recipes[recipe_id]
    return Response(status_code=204)


# werkzeug's texts, which the Flask app sends for errors its own routing raises
WERKZEUG = {
    404: ("not_found", "The requested URL was not found on the server. If you entered the URL manually please "
                       "check your spelling and try again."),
    405: ("method_not_allowed", "The method is not allowed for the requested URL."),
}


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


@app.exception_handler(Missing)
async def missing(_request: Request, exc: Missing) -> JSONResponse:
    return _error(404, "not_found", f"{exc.what} not found")


@app.exception_handler(StarletteHTTPException)
async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    error, message = WERKZEUG.get(exc.status_code, (str(exc.detail).lower().replace(" ", "_"), str(exc.detail)))
    return _error(exc.status_code, error, message)


BODY_MODELS = {("POST", "/recipes"): "RecipeCreate", ("PATCH", "/recipes/{recipe_id}"): "RecipePatch"}
FLASK_ORDER = ("header", "cookie", "path", "query", "body")


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    for name in ("chef_id", "recipe_id"):
        raw = request.path_params.get(name)
        if raw is not None and not str(raw).isdigit():
            return _error(404, *WERKZEUG[404])  # Flask's <int:> converter never routed it
    errors = exc.errors()
    first = next((part for part in FLASK_ORDER if any(e["loc"][0] == part for e in errors)), None)
    body_model = BODY_MODELS.get((request.method, getattr(request.scope.get("route"), "path", "")))
    if first == "body" and body_model and any(
        tuple(e["loc"]) == ("body",) or e["type"] == "json_invalid" for e in errors
    ):
        # flask-openapi3 hands pydantic whatever get_json(silent=True) gave (None when the body is
        # missing or not JSON), and pydantic refuses what is not a dict with `model_type`
        message = f"Input should be a valid dictionary or instance of {body_model}"
        return JSONResponse([{"field": "", "message": message, "type": "model_type"}], status_code=422)
    body = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"], "type": e["type"]}
            for e in errors if e["loc"][0] == first]
    return JSONResponse(jsonable_encoder(body), status_code=422)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
