"""Surveys: a poll's optional free-text questions, answered with the vote (same transaction), shown with the
results (names only in named polls), refused cleanly when malformed."""
from __future__ import annotations

import re

from tests.conftest import browser_sign_in

SURVEY = {"question": "워크숍 장소는?", "choices": ["청사 대회의실", "인재개발원"], "multiple": False,
          "anonymous": False, "questions": ["건의 사항이 있으면 적어 주세요.", "필요한 교육 주제는?"]}


def test_free_text_answers_come_with_the_vote(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"], title="워크숍 설문", markdown="참여 부탁드립니다.", poll=SURVEY)["id"]
    url = f"/api/v1/boards/notice/posts/{post}/votes"
    voted = client.post(url, json={"choices": [1], "answers": ["주차 공간이 부족합니다.", "보고서 작성"]},
                        headers=people["seoyeon"])
    assert voted.status_code == 201, voted.get_json()
    client.post(url, json={"choices": [0]}, headers=people["jihun"])  # answers are optional
    poll = client.get(url, headers=people["minjun"]).get_json()
    first, second = poll["questions"]
    assert first["text"] == "건의 사항이 있으면 적어 주세요."
    assert first["answers"] == [{"text": "주차 공간이 부족합니다.", "username": "seoyeon"}]
    assert second["answers"] == [{"text": "보고서 작성", "username": "seoyeon"}] and first["mine"] is None
    assert client.get(url, headers=people["seoyeon"]).get_json()["questions"][1]["mine"] == "보고서 작성"


def test_anonymous_surveys_show_answers_without_names(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"], title="익명 설문", markdown="솔직하게",
                      poll={**SURVEY, "anonymous": True})["id"]
    url = f"/api/v1/boards/notice/posts/{post}/votes"
    client.post(url, json={"choices": [0], "answers": ["야근이 많습니다."]}, headers=people["seoyeon"])
    answers = client.get(url, headers=people["jihun"]).get_json()["questions"][0]["answers"]
    assert answers == [{"text": "야근이 많습니다."}]


def test_bad_answers_are_refused_and_no_vote_is_counted(client, people, make_board, write_post):
    make_board()
    post = write_post(people["minjun"], title="설문", markdown="본문", poll=SURVEY)["id"]
    url = f"/api/v1/boards/notice/posts/{post}/votes"
    for answers, status in ((["하나", "둘", "셋"], 400), ([1, 2], 400), ("문장", 400), (["가" * 2001], 413)):
        answer = client.post(url, json={"choices": [0], "answers": answers}, headers=people["seoyeon"])
        assert answer.status_code == status and answer.get_json()["message"], answers
    poll = client.get(url, headers=people["seoyeon"]).get_json()
    assert poll["ballots"] == 0 and poll["voted"] is False
    bad = client.post("/api/v1/boards/notice/posts", headers=people["minjun"], json={
        "title": "t", "markdown": "m", "poll": {**SURVEY, "questions": ["" ]}})
    assert bad.status_code == 400 and "questions" in bad.get_json()["message"]


def test_a_survey_through_the_pages(client, people, make_board):
    make_board()
    assert browser_sign_in(client, "minjun", "비밀번호-12345").status_code == 303
    form = client.get("/boards/notice/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    made = client.post("/boards/notice/new", data={
        "csrf_token": token, "title": "교육 수요 조사", "markdown": "응답 부탁드립니다.", "poll_question": "참석 여부",
        "poll_choices": "참석\n불참", "poll_texts": "희망 주제를 적어 주세요."})
    assert made.status_code == 303, made.get_data(as_text=True)
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'name="answer"' in page and "희망 주제를 적어 주세요." in page
    client.post(made.headers["Location"] + "/vote", data={"csrf_token": token, "choice": "0",
                                                         "answer": "데이터 분석"})
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "내 답변: 데이터 분석" in page and "데이터 분석 <span class=\"muted\">— minjun</span>" in page
