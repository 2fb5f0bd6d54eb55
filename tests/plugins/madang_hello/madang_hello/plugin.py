"""The hello plugin: a page, a menu entry, settings, a Socket.IO event and a documented API route.

It imports only `wiki.api` from Madang, like every plugin must.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_socketio import emit

from wiki.api import add_catalog, hookimpl, localized, plugin_settings, t

NAME = "hello"
bp = Blueprint("hello", __name__, url_prefix="/hello", template_folder="templates", static_folder="static")
api = Blueprint("hello_api", __name__, url_prefix="/api/v1/hello")

add_catalog({
    "hello.title": {"ko": "인사", "en": "Hello"},
    "hello.lead": {"ko": "{name}에서 보내는 인사입니다.", "en": "A greeting from {name}."},
})

SCHEMA = {
    "type": "object",
    "properties": {
        "greeting": {"type": "string", "title": {"ko": "인사말", "en": "Greeting"},
                     "description": {"ko": "첫 화면에 보일 말", "en": "What the page says"},
                     "default": "안녕하세요", "minLength": 1, "maxLength": 40},
        "times": {"type": "integer", "title": {"ko": "반복 횟수", "en": "Repeat"}, "default": 1,
                  "minimum": 1, "maximum": 5},
        "shout": {"type": "boolean", "title": {"ko": "크게 말하기", "en": "Shout"}, "default": False},
        "tone": {"type": "string", "title": {"ko": "말투", "en": "Tone"}, "enum": ["다정하게", "격식 있게"],
                 "default": "다정하게"},
        "ratio": {"type": "number", "title": {"ko": "글자 크기 비율", "en": "Text scale"}, "default": 1.5,
                  "minimum": 0.5, "maximum": 3},
    },
}


def greeting() -> str:
    settings = plugin_settings(NAME)
    text = " ".join([settings["greeting"]] * settings["times"])
    return f"{text}!" if settings["shout"] else text


@bp.get("/")
def index():
    return render_template("hello/index.html", greeting=greeting(), tone=plugin_settings(NAME)["tone"],
                           title=t("hello.title"))


@api.get("")
def hello_json():
    return jsonify({"greeting": greeting()})


@hookimpl
def madang_plugin_info():
    return {"name": NAME, "title": {"ko": "인사", "en": "Hello"},
            "description": {"ko": "인사말을 보여 주는 작은 플러그인", "en": "A small plugin that says hello"},
            "version": "1.2.0"}


@hookimpl
def madang_blueprints():
    return [bp, api]


@hookimpl
def madang_nav_items(user):
    return [{"label": {"ko": "인사", "en": "Hello"}, "url": "/hello/", "order": 30}]


@hookimpl
def madang_settings_schema():
    return SCHEMA


@hookimpl
def madang_socketio(socketio):
    @socketio.on("connect", namespace="/hello")
    def connect(auth=None):
        return True

    @socketio.on("ping", namespace="/hello")
    def ping(data):
        emit("pong", {"greeting": greeting(), "echo": data})


@hookimpl
def madang_openapi_paths():
    error = {"description": "error", "content": {"application/json": {"schema": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}}
    return {"/api/v1/hello": {"get": {
        "summary": localized({"ko": "인사말", "en": "The greeting"}), "parameters": [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"greeting": {"type": "string"}}}}}}, "404": error}}}}
