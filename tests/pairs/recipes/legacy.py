"""Legacy cookbook API: flask-openapi3, an in-memory store, answers wrapped in envelopes.

- `GET /chefs` lists chefs (`{"chefs": [...]}`), filtered by `country` compared without regard to
  letter case (`?country=italy` lists the Italian chefs);
- `GET /chefs/<int:chef_id>` answers `{"chef": {..., "restaurant": {"name", "city"}}}`;
- `GET /recipes` pages with `page` (1-based) and `per_page` (default 5, at most 50) and answers
  `{"recipes": [...], "page", "per_page", "total"}`;
- `POST /recipes` answers 201 `{"recipe": {...}}` with a relative `Location: /recipes/<id>`;
- `PATCH /recipes/<int:recipe_id>` changes the fields sent (title, minutes, servings, cuisine) and
  answers the updated recipe; `DELETE` answers 204;
- every error is JSON `{"error": ..., "message": ...}`; validation errors a flat 422 list of
  `{field, message, type}`.
"""

from __future__ import annotations

import copy

from flask import jsonify, make_response
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException, NotFound


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


class RecipeCreated(RecipeEnvelope):
    model_config = ConfigDict(openapi_extra={  # type: ignore[typeddict-unknown-key]
        "description": "Created",
        "headers": {"Location": {"description": "URL of the new recipe", "schema": {"type": "string"}}},
    })


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


class ChefQuery(BaseModel):
    country: str | None = Field(None, max_length=40, description="Country of the chef, any letter case")


class RecipeQuery(BaseModel):
    page: int = Field(1, ge=1, le=1000, description="1-based page number")
    per_page: int = Field(5, ge=1, le=50, description="Recipes per page")


class ChefPath(BaseModel):
    chef_id: int


class RecipePath(BaseModel):
    recipe_id: int


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


def validation_failed(e: ValidationError):
    body = [{"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"], "type": err["type"]}
            for err in e.errors()]
    return make_response(jsonify(body), 422)


app = OpenAPI(__name__, info=Info(title="Cookbook", version="2.1"), security_schemes={},
              validation_error_model=FieldError, validation_error_callback=validation_failed)


@app.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return {"error": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description}, exc.code


@app.get("/chefs", responses={200: ChefList})
def list_chefs(query: ChefQuery):
    """Chefs, optionally of one country (any letter case)."""
    found = [chefs[i] for i in sorted(chefs)]
    if query.country is not None:
        found = [c for c in found if c.country.casefold() == query.country.casefold()]
    return {"chefs": [ChefSummary(id=c.id, name=c.name, country=c.country).model_dump() for c in found]}


@app.get("/chefs/<int:chef_id>", responses={200: ChefEnvelope, 404: Error})
def get_chef(path: ChefPath):
    """One chef with their restaurant."""
    chef = chefs.get(path.chef_id)
    if chef is None:
        raise NotFound(f"chef {path.chef_id} not found")
    return {"chef": chef.model_dump()}


@app.get("/recipes", responses={200: RecipePage})
def list_recipes(query: RecipeQuery):
    """Recipes by id, one page at a time."""
    found = [recipes[i] for i in sorted(recipes)]
    start = (query.page - 1) * query.per_page
    page = found[start:start + query.per_page]
    return RecipePage(recipes=page, page=query.page, per_page=query.per_page, total=len(found)).model_dump()


@app.post("/recipes", responses={201: RecipeCreated, 404: Error})
def create_recipe(body: RecipeCreate):
    """Add a recipe of an existing chef."""
    if body.chef_id not in chefs:
        raise NotFound(f"chef {body.chef_id} not found")
    recipe = Recipe(id=max(recipes, default=0) + 1, **body.model_dump())
    recipes[recipe.id] = recipe
    return {"recipe": recipe.model_dump()}, 201, {"Location": f"/recipes/{recipe.id}"}


def _recipe(recipe_id: int) -> Recipe:
    recipe = recipes.get(recipe_id)
    if recipe is None:
        raise NotFound(f"recipe {recipe_id} not found")
    return recipe


@app.get("/recipes/<int:recipe_id>", responses={200: RecipeEnvelope, 404: Error})
def get_recipe(path: RecipePath):
    """One recipe."""
    return {"recipe": _recipe(path.recipe_id).model_dump()}


@app.patch("/recipes/<int:recipe_id>", responses={200: RecipeEnvelope, 404: Error})
def update_recipe(path: RecipePath, body: RecipePatch):
    """Change the fields sent, keep the others."""
    recipe = _recipe(path.recipe_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    updated = recipe.model_copy(update=changes)
    recipes[updated.id] = updated
    return {"recipe": updated.model_dump()}


@app.delete("/recipes/<int:recipe_id>", responses={204: None, 404: Error})
def delete_recipe(path: RecipePath):
    """Remove a recipe."""
    _recipe(path.recipe_id)
    del recipes[path.recipe_id]
    return "", 204
