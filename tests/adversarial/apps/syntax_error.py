"""An app module that is not valid Python."""

from fastapi import FastAPI

app = FastAPI(
def broken(:
    pass
