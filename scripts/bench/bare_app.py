"""The ceiling: a bare Flask route served by the same gunicorn settings as the product."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify(ok=True)
