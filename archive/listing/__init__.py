"""List shapes of the CMSs that run Chinese government sites and papers, side by side.

Each module reads one shape from a list page (or an endpoint's answer) and says which further
list pages a browser would load; plain functions over text, no fetching:

* ``anchors``  -- ``<a href>`` links plus links hidden in ``onclick`` handlers and
  ``data-href``/``data-url`` attributes (信息公开目录 lists whose items are ``<div onclick>``).
* ``trs``      -- TRS WCM / 海云 pagers written only in JavaScript (``createPageHTML(...)``,
  ``var countPage``): page N of a column is ``index_N.<ext>`` in the same folder.
* ``hanweb``   -- Hanweb (大汉) jpage lists: records inside ``<datastore>`` XML, later groups
  POSTed to ``dataproxy.jsp`` with the page's ``ajaxParam`` form (or the ``nextgroup`` GET).
* ``jsonlist`` -- lists a page's script fills from a JSON endpoint (``list_api`` sources).
* ``edition``  -- digital editions (数字报): one layout page per day from a URL template.
* ``detect``   -- what ``python -m archive probe`` says about a page: its shape, a proposed
  ``article_pattern`` and pagination.
"""
