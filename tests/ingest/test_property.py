"""Ingest never crashes: arbitrary bytes give an article or a rejection with a reason."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.ingest.pipeline import Article, process_seed

CHINESE = st.text(alphabet=st.sampled_from(list("长三角科技创新共同体无锡苏州，。：；“”（）\n 0123456789<p></p>---title:")),
                  max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=2000), CHINESE.map(lambda s: s.encode("utf-8")),
                 CHINESE.map(lambda s: s.encode("gb18030"))))
def test_any_bytes_give_an_article_or_a_reason(tmp_path, raw):
    path = tmp_path / "seed.txt"
    path.write_bytes(raw)
    result = process_seed(path)
    if isinstance(result, BriefingError):
        assert result.message and str(path) in str(result)
    else:
        assert isinstance(result, Article)
        assert result.front["title"] and result.body.strip()
