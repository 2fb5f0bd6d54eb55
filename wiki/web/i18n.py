"""The interface's words in Korean and English, in one catalog.

Staff read Korean first, so Korean is the default and the fallback; English is there for foreign staff and
visitors. Every user-visible string of the theme's templates goes through `t(key, **kwargs)`, so a missing
translation is one test away (tests/wiki/test_ui.py checks every key the templates use). The choice is kept in
the session and a cookie; a signed-in person's saved preference (the settings page) comes next.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
COOKIE = "madang_lang"

CATALOG: dict[str, dict[str, str]] = {
    # -- frame -------------------------------------------------------------------------------------------------
    "site.name": {"ko": "마당 Madang", "en": "Madang"},
    "site.tagline": {"ko": "함께 쓰는 업무 위키", "en": "The staff wiki"},
    "a11y.skip": {"ko": "본문 바로가기", "en": "Skip to content"},
    "nav.label": {"ko": "주 메뉴", "en": "Main menu"},
    "nav.home": {"ko": "대문", "en": "Home"},
    "nav.changes": {"ko": "최근 바뀜", "en": "Recent changes"},
    "nav.pages": {"ko": "모든 문서", "en": "All pages"},
    "nav.new": {"ko": "새 문서", "en": "New page"},
    "nav.feed": {"ko": "최근 바뀜 (Atom 피드)", "en": "Recent changes (Atom feed)"},
    "search.label": {"ko": "문서 검색", "en": "Search pages"},
    "search.placeholder": {"ko": "문서 검색", "en": "Search"},
    "search.button": {"ko": "검색", "en": "Search"},
    "user.menu": {"ko": "사용자 메뉴", "en": "User menu"},
    "user.sign_in": {"ko": "로그인", "en": "Sign in"},
    "user.sign_out": {"ko": "로그아웃", "en": "Sign out"},
    "user.signed_in_as": {"ko": "{name} 님", "en": "{name}"},
    "lang.label": {"ko": "언어", "en": "Language"},
    "lang.ko": {"ko": "한국어", "en": "한국어"},
    "lang.en": {"ko": "English", "en": "English"},
    "footer.text": {"ko": "마당은 모든 변경을 기록합니다. 문서의 역사에서 누가 언제 무엇을 바꿨는지 볼 수 있습니다.",
                    "en": "Madang keeps every change: a page's history shows who changed what, and when."},
    "flash.label": {"ko": "알림", "en": "Notices"},
    # -- common ------------------------------------------------------------------------------------------------
    "common.cancel": {"ko": "취소", "en": "Cancel"},
    "common.older": {"ko": "이전 목록", "en": "Older"},
    "common.newest": {"ko": "처음으로", "en": "Newest"},
    "common.more": {"ko": "더 보기", "en": "More"},
    "common.none": {"ko": "없음", "en": "None"},
    "common.bytes": {"ko": "{n} 바이트", "en": "{n} bytes"},
    "common.summary": {"ko": "편집 요약", "en": "Edit summary"},
    "common.summary_hint": {"ko": "무엇을 왜 바꿨는지 짧게 적어 주세요.",
                            "en": "Say briefly what you changed and why."},
    "common.pagination": {"ko": "쪽 넘기기", "en": "Pagination"},
    "common.error_lead": {"ko": "처리하지 못했습니다.", "en": "That did not work."},
    # -- home --------------------------------------------------------------------------------------------------
    "home.title": {"ko": "대문", "en": "Home"},
    "home.welcome": {"ko": "마당에 오신 것을 환영합니다", "en": "Welcome to Madang"},
    "home.intro": {"ko": "마당은 우리 기관 직원이 함께 만드는 위키입니다. 업무 안내, 절차, 회의록을 모아 두고 "
                         "누구나 고칠 수 있습니다. 모든 변경은 기록되어 언제든 되돌릴 수 있습니다.",
                   "en": "Madang is the wiki the staff write together: guides, procedures and minutes in one "
                         "place that anyone may improve. Every change is recorded and can be undone."},
    "home.recent": {"ko": "최근 바뀜", "en": "Recent changes"},
    "home.all_changes": {"ko": "최근 바뀜 전체 보기", "en": "All recent changes"},
    "home.pages": {"ko": "문서 목록", "en": "Pages"},
    "home.all_pages": {"ko": "모든 문서 보기", "en": "All pages"},
    "home.no_pages": {"ko": "아직 문서가 없습니다. 첫 문서를 만들어 보세요.",
                      "en": "There are no pages yet. Create the first one."},
    "home.no_changes": {"ko": "아직 바뀐 내용이 없습니다.", "en": "Nothing has changed yet."},
    # -- new page ----------------------------------------------------------------------------------------------
    "new.title": {"ko": "새 문서 만들기", "en": "Create a page"},
    "new.label": {"ko": "문서 이름", "en": "Page name"},
    "new.hint": {"ko": "'/'로 분류를 나눌 수 있습니다. 예: 행정포털/사용법",
                 "en": "Use '/' for sections, e.g. 행정포털/사용법"},
    "new.button": {"ko": "만들기", "en": "Create"},
    "new.invalid": {"ko": "이 이름은 쓸 수 없습니다.", "en": "This name cannot be used."},
    # -- page view ---------------------------------------------------------------------------------------------
    "page.breadcrumb": {"ko": "문서 위치", "en": "Location"},
    "page.actions": {"ko": "문서 도구", "en": "Page tools"},
    "page.edit": {"ko": "편집", "en": "Edit"},
    "page.sign_in_to_edit": {"ko": "로그인하고 편집", "en": "Sign in to edit"},
    "page.history": {"ko": "역사", "en": "History"},
    "page.blame": {"ko": "줄별 기록", "en": "Blame"},
    "page.move": {"ko": "이동", "en": "Move"},
    "page.delete": {"ko": "삭제", "en": "Delete"},
    "page.edited_by": {"ko": "마지막 편집: {name}", "en": "Last edited by {name}"},
    "page.old_revision": {"ko": "{date}에 {name} 님이 편집한 옛 판을 보고 있습니다.",
                          "en": "You are viewing an old revision from {date} by {name}."},
    "page.view_current": {"ko": "최신 판 보기", "en": "View the current version"},
    "page.revert_here": {"ko": "이 판으로 되돌리기", "en": "Revert to this revision"},
    "page.toc": {"ko": "목차", "en": "Contents"},
    "page.backlinks": {"ko": "여기를 가리키는 문서", "en": "What links here"},
    "page.no_backlinks": {"ko": "이 문서를 가리키는 문서가 없습니다.", "en": "No page links here."},
    "page.attachments": {"ko": "첨부 파일", "en": "Attachments"},
    "page.no_attachments": {"ko": "첨부 파일이 없습니다.", "en": "No attachments."},
    "page.upload_label": {"ko": "올릴 파일", "en": "File to upload"},
    "page.upload_name": {"ko": "저장할 이름 (선택)", "en": "Save as (optional)"},
    "page.upload_button": {"ko": "올리기", "en": "Upload"},
    "page.attachment_delete": {"ko": "{name} 삭제", "en": "Delete {name}"},
    "page.attachment_delete_confirm": {"ko": "이 첨부 파일을 삭제할까요? 역사에는 남습니다.",
                                       "en": "Delete this attachment? It stays in the history."},
    "missing.title": {"ko": "'{title}' 문서가 없습니다", "en": "There is no page '{title}'"},
    "missing.text": {"ko": "이 문서는 아직 없습니다. 새로 만들어 보세요.",
                     "en": "This page does not exist yet. You can create it."},
    "missing.create": {"ko": "이 문서 만들기", "en": "Create this page"},
    "missing.sign_in": {"ko": "로그인하고 이 문서 만들기", "en": "Sign in to create this page"},
    "missing.deleted": {"ko": "이 문서는 삭제되었습니다. 역사에서 옛 판을 볼 수 있습니다.",
                        "en": "This page was deleted. Its history keeps the old revisions."},
    # -- editor ------------------------------------------------------------------------------------------------
    "edit.title": {"ko": "'{title}' 편집", "en": "Editing '{title}'"},
    "edit.new_title": {"ko": "'{title}' 만들기", "en": "Creating '{title}'"},
    "edit.text_label": {"ko": "본문 (마크다운)", "en": "Text (Markdown)"},
    "edit.preview": {"ko": "미리 보기", "en": "Preview"},
    "edit.preview_failed": {"ko": "미리 보기를 불러오지 못했습니다.", "en": "The preview could not be loaded."},
    "edit.save": {"ko": "저장", "en": "Save"},
    "edit.shortcut": {"ko": "Ctrl+S로도 저장할 수 있습니다.", "en": "Ctrl+S saves too."},
    "edit.upload": {"ko": "그림·파일 올리기", "en": "Upload image or file"},
    "edit.uploading": {"ko": "올리는 중: {name}", "en": "Uploading {name}"},
    "edit.uploaded": {"ko": "올렸습니다: {name}", "en": "Uploaded {name}"},
    "edit.upload_failed": {"ko": "올리지 못했습니다: {name}", "en": "Could not upload {name}"},
    "edit.new_page_note": {"ko": "파일은 문서를 처음 저장한 뒤에 올릴 수 있습니다.",
                           "en": "You can attach files once the page has been saved."},
    "edit.syntax_help": {"ko": "문서 연결은 [[문서 이름]], 첨부 그림은 ![설명](attachment:파일이름)",
                         "en": "Link pages with [[Page name]], show attachments with ![text](attachment:name)"},
    "edit.unsaved": {"ko": "저장하지 않은 내용이 있습니다.", "en": "You have unsaved changes."},
    "edit.failed": {"ko": "저장하지 못했습니다. 글은 아래에 그대로 있습니다.",
                    "en": "The page was not saved. Your text is still below."},
    "edit.empty": {"ko": "본문이 비어 있습니다. 내용을 쓰거나, 문서를 없애려면 삭제를 쓰세요.",
                   "en": "The page is empty: write something, or delete the page instead."},
    "conflict.title": {"ko": "편집 충돌: '{title}'", "en": "Edit conflict: '{title}'"},
    "conflict.lead": {"ko": "편집하는 사이에 다른 사람이 같은 곳을 고쳤습니다. 두 판을 비교해 내 글을 고친 뒤 "
                            "다시 저장하세요. 내 글은 사라지지 않았습니다.",
                      "en": "Someone else changed the same place while you were editing. Compare both versions, "
                            "adjust your text and save again. Your text is not lost."},
    "conflict.theirs_by": {"ko": "다른 사람의 판: {name}, {date}", "en": "Their version: {name}, {date}"},
    "conflict.theirs": {"ko": "다른 사람의 판 (지금 저장된 글)", "en": "Their version (saved now)"},
    "conflict.yours": {"ko": "내 판 (저장되지 않은 글)", "en": "Your version (not saved)"},
    "conflict.compare": {"ko": "두 판 비교", "en": "Both versions side by side"},
    "conflict.edit_label": {"ko": "내 글 (고친 뒤 저장)", "en": "Your text (adjust, then save)"},
    "conflict.theirs_text": {"ko": "다른 사람의 글 (복사용)", "en": "Their text (to copy from)"},
    "conflict.save": {"ko": "내 글로 저장", "en": "Save my text"},
    # -- history, diff, blame ----------------------------------------------------------------------------------
    "history.title": {"ko": "'{title}'의 역사", "en": "History of '{title}'"},
    "history.revision": {"ko": "판", "en": "Revision"},
    "history.author": {"ko": "편집자", "en": "Author"},
    "history.coauthors": {"ko": "함께 쓴 사람 (Co-authored-by)", "en": "Co-authors (Co-authored-by)"},
    "history.with_coauthors": {"ko": "외 {names}", "en": "with {names}"},
    "history.date": {"ko": "날짜", "en": "Date"},
    "history.summary": {"ko": "요약", "en": "Summary"},
    "history.size": {"ko": "크기", "en": "Size"},
    "history.change": {"ko": "증감", "en": "Change"},
    "history.from": {"ko": "옛 판", "en": "From"},
    "history.to": {"ko": "새 판", "en": "To"},
    "history.compare": {"ko": "선택한 두 판 비교", "en": "Compare selected revisions"},
    "history.pick_from": {"ko": "{rev} 판을 비교 시작으로", "en": "Compare from {rev}"},
    "history.pick_to": {"ko": "{rev} 판을 비교 끝으로", "en": "Compare to {rev}"},
    "history.view_rev": {"ko": "{rev} 판 보기", "en": "View revision {rev}"},
    "history.diff_prev": {"ko": "바로 전과 비교", "en": "Compare with previous"},
    "history.diff_short": {"ko": "비교", "en": "diff"},
    "history.revert": {"ko": "되돌리기", "en": "revert"},
    "history.actions": {"ko": "도구", "en": "Tools"},
    "status.A": {"ko": "새 문서", "en": "created"},
    "status.M": {"ko": "수정", "en": "edited"},
    "status.D": {"ko": "삭제", "en": "deleted"},
    "status.R": {"ko": "이동", "en": "moved"},
    "status.X": {"ko": "이동해 나감", "en": "moved away"},
    "history.moved_from": {"ko": "{path}에서 옮김", "en": "moved from {path}"},
    "diff.title": {"ko": "'{title}'의 비교", "en": "Changes to '{title}'"},
    "diff.old": {"ko": "옛 판", "en": "Older revision"},
    "diff.new": {"ko": "새 판", "en": "Newer revision"},
    "diff.nothing": {"ko": "(없음: 문서가 처음 만들어짐)", "en": "(nothing: the page was created)"},
    "diff.side_by_side": {"ko": "나란히 보기", "en": "Side by side"},
    "diff.inline": {"ko": "한 줄로 보기", "en": "Inline"},
    "diff.view_mode": {"ko": "보기 방식", "en": "View"},
    "diff.prev": {"ko": "← 이전 변경", "en": "← Previous change"},
    "diff.next": {"ko": "다음 변경 →", "en": "Next change →"},
    "diff.same": {"ko": "두 판의 내용이 같습니다.", "en": "The two revisions have the same text."},
    "diff.legend": {"ko": "빨간색은 지운 글, 초록색은 더한 글입니다.",
                    "en": "Red marks removed text, green marks added text."},
    "blame.title": {"ko": "'{title}'의 줄별 기록", "en": "Blame of '{title}'"},
    "blame.intro": {"ko": "각 줄을 마지막으로 바꾼 판과 편집자입니다.",
                    "en": "Each line with the revision and person that last changed it."},
    "blame.line": {"ko": "줄", "en": "Line"},
    "blame.text": {"ko": "내용", "en": "Text"},
    "blame.origin": {"ko": "마지막 변경", "en": "Last change"},
    "blame.empty": {"ko": "빈 문서입니다.", "en": "The page is empty."},
    # -- move, delete, revert ----------------------------------------------------------------------------------
    "move.title": {"ko": "'{title}' 이동", "en": "Move '{title}'"},
    "move.lead": {"ko": "문서의 이름을 바꿉니다. 역사와 첨부 파일도 함께 옮겨집니다.",
                  "en": "Rename the page. Its history and attachments move with it."},
    "move.to": {"ko": "새 이름", "en": "New name"},
    "move.button": {"ko": "이동", "en": "Move"},
    "move.exists": {"ko": "그 이름의 문서가 이미 있습니다.", "en": "A page with that name already exists."},
    "delete.title": {"ko": "'{title}' 삭제", "en": "Delete '{title}'"},
    "delete.lead": {"ko": "이 문서와 첨부 파일을 삭제합니다. 역사는 남으므로 나중에 되살릴 수 있습니다.",
                    "en": "This deletes the page and its attachments. The history stays, so it can be restored."},
    "delete.button": {"ko": "삭제", "en": "Delete"},
    "revert.title": {"ko": "'{title}' 되돌리기", "en": "Revert '{title}'"},
    "revert.lead": {"ko": "{date}에 {name} 님이 저장한 {rev} 판으로 되돌립니다. 아래는 되돌리면 바뀌는 내용입니다.",
                    "en": "This restores revision {rev}, saved by {name} on {date}. Below is what will change."},
    "revert.button": {"ko": "되돌리기", "en": "Revert"},
    "revert.same": {"ko": "지금 문서가 이미 그 판과 같습니다.", "en": "The page already has that text."},
    # -- lists -------------------------------------------------------------------------------------------------
    "changes.title": {"ko": "최근 바뀜", "en": "Recent changes"},
    "changes.lead": {"ko": "사이트 전체의 변경입니다. 최근 것이 먼저 나옵니다.",
                     "en": "Every change on the site, newest first."},
    "changes.empty": {"ko": "아직 바뀐 내용이 없습니다.", "en": "Nothing has changed yet."},
    "changes.attachment": {"ko": "첨부 {name}", "en": "attachment {name}"},
    "changes.diff": {"ko": "비교", "en": "diff"},
    "changes.by": {"ko": "{name}", "en": "by {name}"},
    "pages.title": {"ko": "모든 문서", "en": "All pages"},
    "pages.prefix": {"ko": "이름이 이렇게 시작하는 문서", "en": "Pages whose name starts with"},
    "pages.filter": {"ko": "거르기", "en": "Filter"},
    "pages.empty": {"ko": "해당하는 문서가 없습니다.", "en": "No pages match."},
    "pages.name": {"ko": "문서", "en": "Page"},
    "pages.updated": {"ko": "마지막 변경", "en": "Last changed"},
    # -- sign in -----------------------------------------------------------------------------------------------
    "login.title": {"ko": "로그인", "en": "Sign in"},
    "login.username": {"ko": "아이디", "en": "User name"},
    "login.password": {"ko": "비밀번호", "en": "Password"},
    "login.button": {"ko": "로그인", "en": "Sign in"},
    "login.failed": {"ko": "아이디나 비밀번호가 맞지 않습니다.", "en": "The user name or password is wrong."},
    "login.required": {"ko": "이 일을 하려면 로그인해야 합니다.", "en": "Sign in to do this."},
    # -- notices -----------------------------------------------------------------------------------------------
    "flash.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "flash.created": {"ko": "문서를 만들었습니다.", "en": "The page was created."},
    "flash.merged": {"ko": "다른 사람의 변경과 합쳐 저장했습니다.", "en": "Saved, merged with another change."},
    "flash.unchanged": {"ko": "바뀐 내용이 없어 저장하지 않았습니다.", "en": "Nothing changed, so nothing was saved."},
    "flash.moved": {"ko": "'{path}'(으)로 옮겼습니다.", "en": "Moved to '{path}'."},
    "flash.deleted": {"ko": "문서를 삭제했습니다.", "en": "The page was deleted."},
    "flash.reverted": {"ko": "되돌렸습니다.", "en": "Reverted."},
    "flash.uploaded": {"ko": "'{name}'을(를) 올렸습니다.", "en": "Uploaded '{name}'."},
    "flash.upload_failed": {"ko": "'{name}'을(를) 올리지 못했습니다: {reason}",
                            "en": "Could not upload '{name}': {reason}"},
    "flash.no_file": {"ko": "올릴 파일을 고르세요.", "en": "Choose a file to upload."},
    "flash.attachment_deleted": {"ko": "'{name}'을(를) 삭제했습니다.", "en": "Deleted '{name}'."},
    "flash.signed_in": {"ko": "{name} 님, 어서 오세요.", "en": "Welcome, {name}."},
    "flash.signed_out": {"ko": "로그아웃했습니다.", "en": "You are signed out."},
    # -- errors ------------------------------------------------------------------------------------------------
    "error.title": {"ko": "문제가 생겼습니다", "en": "Something went wrong"},
    "error.not_found": {"ko": "찾는 것이 없습니다", "en": "Not found"},
    "error.invalid_input": {"ko": "요청이 올바르지 않습니다", "en": "The request is not valid"},
    "error.invalid_path": {"ko": "쓸 수 없는 문서 이름입니다", "en": "That page name is not valid"},
    "error.forbidden": {"ko": "권한이 없습니다", "en": "Not allowed"},
    "error.unauthorized": {"ko": "로그인이 필요합니다", "en": "Please sign in"},
    "error.too_large": {"ko": "너무 큽니다", "en": "Too large"},
    "error.unsupported_type": {"ko": "올릴 수 없는 파일 형식입니다", "en": "That type of file is not allowed"},
    "error.rate_limited": {"ko": "요청이 너무 잦습니다", "en": "Too many requests"},
    "error.edit_conflict": {"ko": "편집 충돌", "en": "Edit conflict"},
    "error.already_exists": {"ko": "이미 있습니다", "en": "It already exists"},
    "error.busy": {"ko": "잠시 뒤에 다시 해 주세요", "en": "Busy; please try again"},
    "error.detail": {"ko": "자세한 내용", "en": "Details"},
    "error.status": {"ko": "오류 {status}", "en": "Error {status}"},
    "error.home": {"ko": "대문으로", "en": "Go to the home page"},
    "admin.title": {"ko": "관리", "en": "Administration"},
    "admin.nav": {"ko": "관리 메뉴", "en": "Administration menu"},
}


def add_catalog(entries: dict[str, dict[str, str]]) -> None:
    """Add the words of another module of the interface (admin pages, accounts, a plugin); each entry needs
    Korean at least. Keys must be new: a module never silently rewrites another's words."""
    for key, entry in entries.items():
        if key in CATALOG and CATALOG[key] != entry:
            raise ValueError(f"translation key '{key}' is defined twice")
        if DEFAULT_LANGUAGE not in entry:
            raise ValueError(f"translation key '{key}' has no Korean text")
        CATALOG[key] = entry


PREFERRED_LANGUAGE = "madang.preferred_language"  # app.extensions key: a function giving the person's saved choice


def current_language() -> str:
    """The reader's language: their choice in this session, then their saved preference (signed in), then the
    cookie, else the browser's, else Korean."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    cached = g.get("madang_lang")
    if cached:
        return cached
    preferred = current_app.extensions.get(PREFERRED_LANGUAGE)
    chosen = session.get("lang") or (preferred() if preferred else None) or request.cookies.get(COOKIE)
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    g.madang_lang = chosen
    return chosen


def t(key: str, **kwargs: object) -> str:
    """The text for key in the reader's language; Korean when English is missing; the key itself if unknown
    (so a typo shows up on the page instead of breaking it)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    text = entry.get(current_language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**kwargs) if kwargs else text


def template_globals() -> dict:
    """What every template gets: the translation function and the page's language (for <html lang>)."""
    return {"t": t, "lang": current_language()}
