from flask import Flask
from flask_restx import Api, Resource, fields, reqparse

app = Flask(__name__)
api = Api(app, version="1.0", title="Todo API")
ns = api.namespace("todos", description="TODO operations")

todo = api.model("Todo", {
    "id": fields.Integer(readonly=True, description="The task unique identifier"),
    "task": fields.String(required=True, description="The task details"),
    "done": fields.Boolean(default=False),
})

parser = reqparse.RequestParser()
parser.add_argument("limit", type=int, location="args", default=10)

TODOS = {}

def reset():
    TODOS.clear()
    TODOS[1] = {"id": 1, "task": "build an API", "done": False}

reset()

@ns.route("/")
class TodoList(Resource):
    @ns.doc("list_todos")
    @ns.expect(parser)
    @ns.marshal_list_with(todo)
    def get(self):
        args = parser.parse_args()
        return list(TODOS.values())[: args["limit"]]

    @ns.doc("create_todo")
    @ns.expect(todo, validate=True)
    @ns.marshal_with(todo, code=201)
    def post(self):
        new_id = max(TODOS, default=0) + 1
        item = {"id": new_id, "task": api.payload["task"], "done": api.payload.get("done", False)}
        TODOS[new_id] = item
        return item, 201

@ns.route("/<int:id>")
@ns.response(404, "Todo not found")
@ns.param("id", "The task identifier")
class Todo(Resource):
    @ns.marshal_with(todo)
    def get(self, id):
        if id not in TODOS:
            api.abort(404, f"Todo {id} doesn't exist")
        return TODOS[id]

    @ns.response(204, "Todo deleted")
    def delete(self, id):
        if id not in TODOS:
            api.abort(404, f"Todo {id} doesn't exist")
        del TODOS[id]
        return "", 204
