"""The extraction pool's batch function: every page processed on its own, failures kept to their page."""

import pickle

from archive.extract import ExtractOptions
from archive.pipeline import FetchedPage, process_page
from archive.derived import prepare_article
from crawler.extract_worker import process_batch

PAGE = ("<html><head><title>签约仪式举行_样例新闻网</title></head><body><div class='article'><h1>签约仪式举行</h1>"
        "<p>11月23日，吉林市举行重点招商引资项目集中签约仪式，共签约项目12个，总投资86亿元。</p>"
        "<p>市合作交流办负责人表示，将持续优化营商环境，推动签约项目尽快落地开工。</p></div></body></html>").encode()


def page(url, body=PAGE):
    return FetchedPage(url=url, source="s", status=200, fetched_at="2024-11-23T09:00:00+08:00",
                       headers={"content-type": "text/html; charset=utf-8"}, body=body)


def test_batch_results_are_page_by_page_and_a_failure_stays_with_its_page():
    options = ExtractOptions(outlet="样例日报")
    jobs = [(page("http://a.example.cn/1.html"), options, "吉林省"),
            (page("http://a.example.cn/2.html", body=None), options, "吉林省"),  # process_page raises on it
            (page("http://a.example.cn/3.html"), options, "吉林省")]
    out = process_batch(jobs)
    assert [ok for ok, _ in out] == [True, False, True]
    for (ok, value), args in zip(out, jobs):
        if ok:
            record, article, prepared = value
            assert (record, article) == process_page(*args)  # the same records as one call a page
            expected = prepare_article(article, story=False)
            assert prepared.facts == expected.facts
            assert prepared.places == expected.places and prepared.facts  # 12个 项目, 86亿元
    assert isinstance(out[1][1], Exception)
    pickle.dumps(out)  # what goes back to the crawl process must pickle
