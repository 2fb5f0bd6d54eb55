"""Start Madang on its embedded defaults: `python app.py` (see README)."""
from __future__ import annotations

from wiki.app import create_app, socketio
from wiki.config import Config
from wiki.serving import settle


def main() -> None:
    config = Config.from_env()
    app = create_app(config)
    settle()
    print(f"Madang is running at http://{config.host}:{config.port}/", flush=True)
    socketio.run(app, host=config.host, port=config.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
