"""The words of the accounts screens (settings, org chart, profiles, sign-in messages, admin sections), added to
the interface's catalog with `i18n.add_catalog` when this module is imported."""
from __future__ import annotations

from .i18n import add_catalog

WORDS: dict[str, dict[str, str]] = {
    # -- header and sign-in ------------------------------------------------------------------------------------
    "nav.orgchart": {"ko": "조직도", "en": "Org chart"},
    "user.settings": {"ko": "설정", "en": "Settings"},
    "signin.locked": {"ko": "로그인에 여러 번 실패해 잠시 막혔습니다. {minutes}분 뒤에 다시 해 보세요.",
                      "en": "Too many failed sign-ins. Try again in {minutes} minute(s)."},
    "signin.directory_down": {"ko": "직원 디렉터리(LDAP)에 지금 연결할 수 없습니다. 잠시 뒤에 다시 해 보세요. "
                                    "로컬 계정은 지금도 로그인할 수 있습니다.",
                              "en": "The staff directory (LDAP) cannot be reached right now; try again shortly. "
                                    "Local accounts can still sign in."},
    "signin.too_long": {"ko": "아이디나 비밀번호가 너무 깁니다.", "en": "The user name or password is too long."},
    "signin.session_ended": {"ko": "모든 기기에서 로그아웃했습니다. 다시 로그인해 주세요.",
                             "en": "You are signed out everywhere. Please sign in again."},
    "error.directory_unavailable": {"ko": "직원 디렉터리에 연결할 수 없습니다",
                                    "en": "The staff directory is unavailable"},
    # -- common --------------------------------------------------------------------------------------------
    "common.save": {"ko": "저장", "en": "Save"},
    "common.yes": {"ko": "예", "en": "Yes"},
    "common.no": {"ko": "아니요", "en": "No"},
    "common.never": {"ko": "없음", "en": "Never"},
    "common.search": {"ko": "찾기", "en": "Search"},
    "common.history": {"ko": "변경 기록", "en": "History"},
    "common.history_lead": {"ko": "이 파일은 콘텐츠 저장소에 있어 바꿀 때마다 누가 언제 바꿨는지 남습니다.",
                            "en": "This file is kept in the content repository: every change records who made it "
                                  "and when."},
    "common.no_history": {"ko": "아직 바뀐 적이 없습니다.", "en": "It has not been changed yet."},
    "common.revision": {"ko": "판", "en": "Revision"},
    "common.author": {"ko": "바꾼 사람", "en": "Changed by"},
    "common.date": {"ko": "날짜", "en": "Date"},
    "common.message": {"ko": "요약", "en": "Summary"},
    "common.actions": {"ko": "도구", "en": "Actions"},
    "role.admin": {"ko": "관리자", "en": "Administrator"},
    "role.editor": {"ko": "편집자", "en": "Editor"},
    "role.reader": {"ko": "열람자", "en": "Reader"},
    "source.local": {"ko": "로컬 계정", "en": "Local account"},
    "source.ldap": {"ko": "직원 디렉터리(LDAP) 계정", "en": "Staff directory (LDAP) account"},
    # -- settings ------------------------------------------------------------------------------------------
    "settings.title": {"ko": "설정", "en": "Settings"},
    "settings.profile": {"ko": "내 정보", "en": "My profile"},
    "settings.profile_link": {"ko": "동료에게 보이는 내 프로필", "en": "My profile as colleagues see it"},
    "settings.directory_note": {"ko": "이름, 부서, 직위, 전화, 그룹은 직원 디렉터리에서 로그인할 때마다 가져옵니다.",
                                "en": "Name, department, title, phone and groups come from the staff directory "
                                      "each time you sign in."},
    "settings.username": {"ko": "아이디", "en": "User name"},
    "settings.name": {"ko": "이름", "en": "Name"},
    "settings.email": {"ko": "이메일", "en": "E-mail"},
    "settings.department": {"ko": "부서", "en": "Department"},
    "settings.job_title": {"ko": "직위", "en": "Title"},
    "settings.phone": {"ko": "전화", "en": "Phone"},
    "settings.groups": {"ko": "그룹", "en": "Groups"},
    "settings.role": {"ko": "역할", "en": "Role"},
    "settings.account": {"ko": "계정 종류", "en": "Account"},
    "settings.last_sign_in": {"ko": "마지막 로그인", "en": "Last sign-in"},
    "settings.preferences": {"ko": "환경 설정", "en": "Preferences"},
    "settings.language": {"ko": "화면 언어", "en": "Interface language"},
    "settings.language_auto": {"ko": "브라우저 설정 따르기", "en": "Follow the browser"},
    "settings.timezone": {"ko": "시간대", "en": "Time zone"},
    "settings.timezone_hint": {"ko": "날짜와 시각을 이 시간대로 보여 줍니다.",
                               "en": "Dates and times are shown in this time zone."},
    "settings.editor_preview": {"ko": "편집할 때 미리 보기 보이기", "en": "Show the preview while editing"},
    "settings.saved": {"ko": "환경 설정을 저장했습니다.", "en": "Your preferences are saved."},
    "settings.tokens": {"ko": "API 토큰", "en": "API tokens"},
    "settings.tokens_lead": {"ko": "스크립트나 다른 시스템이 내 이름으로 마당 API를 쓸 때 필요합니다. "
                                   "토큰은 만들 때 한 번만 보입니다.",
                             "en": "Scripts and other systems use a token to call Madang's API as you. A token is "
                                   "shown once, when it is created."},
    "settings.token_name": {"ko": "토큰 이름", "en": "Token name"},
    "settings.token_name_hint": {"ko": "어디에 쓰는지 알아볼 수 있게, 예: 민원 통계 스크립트",
                                 "en": "So you know what it is for, e.g. reports script"},
    "settings.token_days": {"ko": "유효 기간 (일)", "en": "Valid for (days)"},
    "settings.token_create": {"ko": "토큰 만들기", "en": "Create token"},
    "settings.token_created": {"ko": "새 토큰입니다. 지금 복사해 두세요. 이 화면을 벗어나면 다시 볼 수 없습니다.",
                               "en": "Your new token. Copy it now: it will not be shown again."},
    "settings.token_value": {"ko": "새 토큰 값", "en": "New token"},
    "settings.token_created_at": {"ko": "만든 때", "en": "Created"},
    "settings.token_expires": {"ko": "만료", "en": "Expires"},
    "settings.token_last_used": {"ko": "마지막 사용", "en": "Last used"},
    "settings.token_state": {"ko": "상태", "en": "State"},
    "settings.token_active": {"ko": "사용 중", "en": "Active"},
    "settings.token_revoked": {"ko": "폐기됨", "en": "Revoked"},
    "settings.token_expired": {"ko": "만료됨", "en": "Expired"},
    "settings.token_revoke": {"ko": "폐기", "en": "Revoke"},
    "settings.token_revoke_label": {"ko": "'{name}' 토큰 폐기", "en": "Revoke token '{name}'"},
    "settings.token_revoked_flash": {"ko": "'{name}' 토큰을 폐기했습니다.", "en": "The token '{name}' is revoked."},
    "settings.no_tokens": {"ko": "만든 토큰이 없습니다.", "en": "You have no tokens."},
    "settings.sessions": {"ko": "모든 기기에서 로그아웃", "en": "Sign out everywhere"},
    "settings.sessions_lead": {"ko": "다른 컴퓨터나 휴대전화에 로그인된 채로 두었다면 여기서 모두 끝낼 수 있습니다. "
                                     "이 브라우저도 로그아웃됩니다.",
                               "en": "Ends every session of yours, on other computers and phones too, "
                                     "this browser included."},
    "settings.sessions_tokens": {"ko": "API 토큰도 모두 폐기", "en": "Revoke all API tokens too"},
    "settings.sessions_button": {"ko": "모든 기기에서 로그아웃", "en": "Sign out everywhere"},
    # -- org chart and people ------------------------------------------------------------------------------
    "orgchart.title": {"ko": "조직도", "en": "Org chart"},
    "orgchart.lead_directory": {"ko": "직원 디렉터리(LDAP)에서 가져온 조직도입니다. 몇 분마다 새로 읽습니다.",
                                "en": "The org chart from the staff directory (LDAP), refreshed every few minutes."},
    "orgchart.lead_repository": {"ko": "관리자가 관리하는 조직도입니다. 바뀔 때마다 기록이 남습니다.",
                                 "en": "The org chart kept by the administrators; every change is recorded."},
    "orgchart.search_label": {"ko": "이름이나 부서로 직원 찾기", "en": "Find a colleague by name or department"},
    "orgchart.search_placeholder": {"ko": "예: 김철수, 인사과, 종로구청", "en": "e.g. 김철수, 인사과, 종로구청"},
    "orgchart.results": {"ko": "'{q}' 찾은 결과 {n}명", "en": "{n} found for '{q}'"},
    "orgchart.no_results": {"ko": "찾는 직원이 없습니다.", "en": "Nobody matches."},
    "orgchart.tree": {"ko": "부서", "en": "Departments"},
    "orgchart.people_count": {"ko": "{n}명", "en": "{n} people"},
    "orgchart.subdepartments": {"ko": "하위 부서", "en": "Units"},
    "orgchart.people": {"ko": "구성원", "en": "People"},
    "orgchart.no_people": {"ko": "등록된 구성원이 없습니다.", "en": "No one is listed here."},
    "orgchart.all": {"ko": "전체 조직도", "en": "Whole chart"},
    "orgchart.edit": {"ko": "조직도 편집", "en": "Edit the org chart"},
    "orgchart.unknown_department": {"ko": "그런 부서가 없습니다.", "en": "There is no such department."},
    "people.name": {"ko": "이름", "en": "Name"},
    "people.title_col": {"ko": "직위", "en": "Title"},
    "people.department": {"ko": "부서", "en": "Department"},
    "people.phone": {"ko": "전화", "en": "Phone"},
    "people.email": {"ko": "이메일", "en": "E-mail"},
    "people.username": {"ko": "아이디", "en": "User name"},
    "people.groups": {"ko": "그룹", "en": "Groups"},
    "people.role": {"ko": "역할", "en": "Role"},
    "people.recent_edits": {"ko": "최근 편집", "en": "Recent edits"},
    "people.no_edits": {"ko": "볼 수 있는 편집이 없습니다.", "en": "No edits you can see."},
    "people.not_in_chart": {"ko": "조직도에 없는 계정입니다.", "en": "This account is not in the org chart."},
    "people.admin_edit": {"ko": "계정 관리", "en": "Manage account"},
    # -- admin: users ----------------------------------------------------------------------------------------
    "admin.users": {"ko": "사용자", "en": "Users"},
    "admin.users_lead": {"ko": "로컬 계정과 직원 디렉터리에서 처음 로그인해 만들어진 계정입니다.",
                         "en": "Local accounts, and accounts made by a first sign-in from the staff directory."},
    "admin.users_search": {"ko": "아이디, 이름, 이메일, 부서로 찾기", "en": "Search by user name, name, e-mail or "
                                                                           "department"},
    "admin.users_none": {"ko": "해당하는 계정이 없습니다.", "en": "No accounts match."},
    "admin.user_active": {"ko": "사용", "en": "Active"},
    "admin.user_disabled": {"ko": "사용 중지", "en": "Disabled"},
    "admin.user_new": {"ko": "로컬 계정 만들기", "en": "Create a local account"},
    "admin.user_password": {"ko": "처음 비밀번호 (8자 이상)", "en": "Initial password (8 characters or more)"},
    "admin.user_groups_hint": {"ko": "쉼표로 나눕니다. 예: hr, editors", "en": "Separated by commas, e.g. hr, editors"},
    "admin.user_create": {"ko": "만들기", "en": "Create"},
    "admin.user_created": {"ko": "'{username}' 계정을 만들었습니다.", "en": "The account '{username}' is created."},
    "admin.user_title": {"ko": "계정: {name}", "en": "Account: {name}"},
    "admin.user_saved": {"ko": "계정을 저장했습니다.", "en": "The account is saved."},
    "admin.user_unchanged": {"ko": "바뀐 것이 없습니다.", "en": "Nothing changed."},
    "admin.user_active_label": {"ko": "계정 사용 (끄면 바로 로그아웃되고 토큰도 쓸 수 없습니다)",
                                "en": "Account active (turning it off signs the person out and stops their "
                                      "tokens at once)"},
    "admin.user_ldap_note": {"ko": "디렉터리 계정입니다. 디렉터리의 그룹은 로그인할 때마다 새로 읽고, 여기서 준 "
                                   "로컬 그룹만 남습니다.",
                             "en": "A directory account: its directory groups are read again at each sign-in; "
                                   "only local groups given here stay."},
    "admin.user_sign_out": {"ko": "이 사람의 모든 세션 끝내기", "en": "End all of this person's sessions"},
    "admin.user_signed_out": {"ko": "'{username}'의 모든 세션을 끝냈습니다.",
                              "en": "All sessions of '{username}' are ended."},
    "admin.user_last_sign_in": {"ko": "마지막 로그인", "en": "Last sign-in"},
    # -- admin: groups ---------------------------------------------------------------------------------------
    "admin.groups": {"ko": "그룹", "en": "Groups"},
    "admin.groups_lead": {"ko": "로컬 그룹은 마당이 관리합니다. 디렉터리 그룹은 직원 디렉터리에서 옵니다. 권한 "
                                "규칙에서는 group:이름으로 씁니다.",
                          "en": "Local groups are managed here; directory groups come from the staff directory. "
                                "Rules name them as group:NAME."},
    "admin.group_name": {"ko": "그룹 이름", "en": "Group name"},
    "admin.group_title": {"ko": "표시 이름", "en": "Display name"},
    "admin.group_description": {"ko": "설명", "en": "Description"},
    "admin.group_members": {"ko": "구성원 수", "en": "Members"},
    "admin.group_kind": {"ko": "종류", "en": "Kind"},
    "admin.group_local": {"ko": "로컬", "en": "Local"},
    "admin.group_directory": {"ko": "디렉터리/계정", "en": "Directory / accounts"},
    "admin.group_new": {"ko": "로컬 그룹 만들기", "en": "Create a local group"},
    "admin.group_created": {"ko": "'{name}' 그룹을 만들었습니다.", "en": "The group '{name}' is created."},
    "admin.group_deleted": {"ko": "'{name}' 그룹을 지웠습니다.", "en": "The group '{name}' is deleted."},
    "admin.group_delete": {"ko": "그룹 지우기", "en": "Delete group"},
    "admin.group_page_title": {"ko": "그룹: {name}", "en": "Group: {name}"},
    "admin.group_add_member": {"ko": "구성원 더하기 (아이디)", "en": "Add a member (user name)"},
    "admin.group_add": {"ko": "더하기", "en": "Add"},
    "admin.group_remove": {"ko": "빼기", "en": "Remove"},
    "admin.group_remove_label": {"ko": "{username}을(를) 그룹에서 빼기", "en": "Remove {username} from the group"},
    "admin.group_member_added": {"ko": "'{username}'을(를) 더했습니다.", "en": "Added '{username}'."},
    "admin.group_member_removed": {"ko": "'{username}'을(를) 뺐습니다.", "en": "Removed '{username}'."},
    "admin.group_no_members": {"ko": "구성원이 없습니다.", "en": "No members."},
    "admin.group_directory_note": {"ko": "디렉터리에서 온 그룹은 여기서 바꿔도 다음 로그인 때 디렉터리 값으로 "
                                         "돌아갑니다.",
                                   "en": "A directory group is read again at each sign-in: changes here do not "
                                         "last."},
    # -- admin: rules ----------------------------------------------------------------------------------------
    "admin.acl": {"ko": "권한 규칙", "en": "Permission rules"},
    "admin.acl_lead": {"ko": "문서 경로의 앞부분마다 누가 읽고, 편집하고, 관리할 수 있는지 정합니다. 가장 길게 "
                             "맞는 규칙이 이깁니다. 쉼표로 나눠 씁니다: anonymous(누구나), staff(로그인한 직원), "
                             "group:이름, user:아이디, role:editor 같은 역할.",
                       "en": "For each page-path prefix, who may read, edit and administer; the longest matching "
                             "prefix wins. Separate with commas: anonymous (everyone), staff (signed in), "
                             "group:NAME, user:NAME, or a role such as role:editor."},
    "admin.acl_default": {"ko": "사이트 기본값 (어느 규칙에도 맞지 않는 문서)", "en": "Site default (pages no rule "
                                                                                  "matches)"},
    "admin.acl_prefix": {"ko": "경로 앞부분", "en": "Path prefix"},
    "admin.acl_read": {"ko": "읽기", "en": "Read"},
    "admin.acl_edit": {"ko": "편집", "en": "Edit"},
    "admin.acl_admin": {"ko": "관리", "en": "Administer"},
    "admin.acl_rule": {"ko": "규칙 {n}", "en": "Rule {n}"},
    "admin.acl_new_rows": {"ko": "빈 줄에 새 규칙을 쓰고, 지울 규칙은 경로를 비우세요.",
                           "en": "Write new rules in the empty rows; clear a rule's prefix to delete it."},
    "admin.acl_saved": {"ko": "권한 규칙을 저장했습니다.", "en": "The rules are saved."},
    "admin.acl_unchanged": {"ko": "바뀐 규칙이 없습니다.", "en": "The rules did not change."},
    "admin.acl_roles_note": {"ko": "열람자(role:reader)는 규칙이 허락해도 편집하지 못하고, 관리자는 모든 것을 할 "
                                   "수 있습니다.",
                             "en": "Readers (role:reader) never edit, whatever a rule says; administrators may "
                                   "do everything."},
    # -- admin: org chart ------------------------------------------------------------------------------------
    "admin.orgchart": {"ko": "조직도", "en": "Org chart"},
    "admin.orgchart_lead": {"ko": "부서(departments: id, name, parent)와 사람(people: username, name, title, "
                                  "department, phone, email)을 JSON으로 씁니다. 저장하면 site/orgchart.json에 "
                                  "커밋됩니다.",
                            "en": "Departments (id, name, parent) and people (username, name, title, department, "
                                  "phone, email) as JSON. Saving commits site/orgchart.json."},
    "admin.orgchart_ldap_note": {"ko": "지금은 직원 디렉터리(LDAP)의 조직도를 보여 줍니다. 여기서 저장한 조직도는 "
                                       "LDAP 설정을 끄면 쓰입니다.",
                                 "en": "The org chart people see now comes from the staff directory (LDAP); the one "
                                       "saved here is used when LDAP is switched off."},
    "admin.orgchart_text": {"ko": "조직도 (JSON)", "en": "Org chart (JSON)"},
    "admin.orgchart_saved": {"ko": "조직도를 저장했습니다.", "en": "The org chart is saved."},
    "admin.orgchart_unchanged": {"ko": "바뀐 내용이 없습니다.", "en": "Nothing changed."},
    "admin.orgchart_invalid_json": {"ko": "JSON 문법이 맞지 않습니다: {reason}", "en": "The JSON is not valid: "
                                                                                   "{reason}"},
    "admin.orgchart_counts": {"ko": "부서 {departments}개, 사람 {people}명", "en": "{departments} departments, "
                                                                               "{people} people"},
    # -- admin: audit ----------------------------------------------------------------------------------------
    "admin.audit": {"ko": "감사 기록", "en": "Audit log"},
    "admin.audit_lead": {"ko": "로그인, 로그인 실패, 토큰, 권한 규칙·조직도·계정·그룹·플러그인 변경 기록입니다. "
                               "비밀번호와 토큰은 남기지 않습니다.",
                         "en": "Sign-ins, failures, tokens, and changes to rules, the org chart, accounts, groups "
                               "and plugins. Passwords and tokens are never recorded."},
    "admin.audit_action": {"ko": "동작", "en": "Action"},
    "admin.audit_actor": {"ko": "한 사람", "en": "Actor"},
    "admin.audit_target": {"ko": "대상", "en": "Target"},
    "admin.audit_address": {"ko": "주소", "en": "Address"},
    "admin.audit_detail": {"ko": "자세히", "en": "Detail"},
    "admin.audit_when": {"ko": "때", "en": "When"},
    "admin.audit_all": {"ko": "모든 동작", "en": "All actions"},
    "admin.audit_filter": {"ko": "거르기", "en": "Filter"},
    "admin.audit_empty": {"ko": "기록이 없습니다.", "en": "No entries."},
}

add_catalog(WORDS)
