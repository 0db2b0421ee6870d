# The citizen-facing form pages (filling in, `urls_apply`) and what happens on and after
# submission (`urls_submit`) are built separately; both live under /antraege/. Submission's
# addresses come first, so the start page's catch-all /antraege/<slug>/ cannot shadow them.
from rathaus.forms.urls_apply import urlpatterns as apply_patterns
from rathaus.forms.urls_submit import urlpatterns as submit_patterns

app_name = "forms"
urlpatterns = [*submit_patterns, *apply_patterns]
