"""WeChat: the gateway over wechatpy and the sandbox that stands in for WeChat in dev and tests."""

from backend.wechat.gateway import SendOutcome, WeChatGateway
from backend.wechat.sandbox import create_sandbox_app, run_sandbox, serve_in_thread

__all__ = ["SendOutcome", "WeChatGateway", "create_sandbox_app", "run_sandbox", "serve_in_thread"]
