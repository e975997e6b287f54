"""Per-site HTML templates (string.Template, Simplified text; Traditional sites are converted).

Keys: frame (whole page), article / list (the page's main part), head (article <meta>s), item (list entry),
para (body paragraph), hot (sidebar entry), opt (snippets rendered only when a value exists),
href ("rel", "abs" or "trs" = "./"-relative links on list pages), section (list-page name), noise (markers that
every article page carries outside its body, in Simplified).
"""

from .shapes.trs import WCM_FUNCTION

JLCITY_FRAME = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>$page_title</title>
$head
<link href="/css/jcrb2017.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/js/jquery-1.8.3.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1000"><a href="/">松花江网首页</a> | <a href="javascript:;">江城日报数字报</a> | <a href="javascript:;">江城晚报数字报</a> | <a href="javascript:;">吉林乌拉圈</a></div></div>
<div class="header w1000"><a class="logo" href="/"><img src="/images/logo.png" alt="松花江网" /></a>
<div class="search"><form action="/search/" method="get"><input type="text" name="q" /><input type="submit" value="搜索" /></form></div></div>
<div class="nav w1000"><ul><li><a href="/">首页</a></li><li><a href="javascript:;">江城要闻</a></li><li><a href="/jj/index.html">江城经济</a></li><li><a href="javascript:;">社会民生</a></li><li><a href="javascript:;">文体娱乐</a></li><li><a href="javascript:;">图说江城</a></li><li><a href="javascript:;">视频</a></li></ul></div>
<div class="w1000 clearfix">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/jj/index.html">江城经济</a>$crumb</div>
<div class="main_left">
$main
</div>
<div class="main_right">
<div class="hot"><h3>热点排行</h3><ul>
$hot
</ul></div>
<div class="ad"><a href="javascript:;"><img src="/images/ad_300x250.jpg" alt="广告" /></a></div>
</div>
</div>
<div class="footer">
<p><a href="javascript:;">关于我们</a> | <a href="javascript:;">广告服务</a> | <a href="javascript:;">联系方式</a> | <a href="javascript:;">网站地图</a></p>
<p>江城日报社主办 松花江网版权所有 未经书面授权不得复制或建立镜像</p>
<p>$icp 吉公网安备 22020202000137号 互联网新闻信息服务许可证：22120170003</p>
<p>违法和不良信息举报电话：0432-60009999</p>
</div>
</body>
</html>
"""

JLCITY_ARTICLE = """<div class="article">
<h1 class="art_title">$title</h1>
<div class="art_info"><span class="time">$time</span> <span class="source">来源：$outlet</span> $author <span class="fontsize">【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span></div>
<div class="art_content" id="zoom">
<div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}.TRS_Editor DIV{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}
</style>
$body
$byline
$orig
<p><strong>反侵权公告：</strong></p>
<p>依照《中华人民共和国著作权法》等法律法规的规定，江城日报社对旗下各媒体平台刊发的原创稿件依法享有著作权。现将有关事项公告如下：</p>
<p>一、凡在网站、客户端、公众号等平台转载或摘编江城日报社（含《江城日报》《江城晚报》、松花江网及其新媒体账号）原创作品的，须事先获得本社书面许可并注明出处；</p>
<p>二、对未经许可擅自使用本社作品的行为，本社将通过删除通知、行政投诉、民事诉讼等方式依法维护自身权益；</p>
<p>三、欢迎社会各界监督举报侵权行为。</p>
<p>版权合作：0432-60001234　法律事务：0432-60005678</p>
</div>
</div>
$editor
<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a> <a href="javascript:;">QQ空间</a></div>
</div>"""

JLCITY_LIST = """<div class="list_box">
<h2 class="list_title">江城经济</h2>
<ul class="news_list">
$items
</ul>
<div class="page"><a href="$first">首页</a> $prev $next <span>共$pages页</span></div>
<div class="friend">友情链接：<a href="http://www.example.com/jj/content_1.html" target="_blank">示例新闻网</a> <a href="mailto:jcrbwl@example.com">新闻投稿</a></div>
</div>"""

AQNEWS_FRAME = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>$page_title</title>
$head
<link rel="stylesheet" type="text/css" href="/images/aqnews.css" />
</head>
<body>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td><a href="/"><img src="/images/logo.gif" alt="安庆新闻网" /></a></td><td class="topnav"><a href="/">首页</a> | <a href="/aqxw/index.html">安庆新闻</a> | <a href="javascript:;">县区新闻</a> | <a href="javascript:;">安庆日报</a> | <a href="javascript:;">安庆晚报</a> | <a href="javascript:;">黄梅戏</a></td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="dh">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/aqxw/index.html">安庆新闻</a>$crumb</td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="680" valign="top">
$main
</td>
<td width="20"></td>
<td width="280" valign="top" class="right">
<div class="rd"><div class="rd_t">热点新闻</div><ul>
$hot
</ul></div>
<div class="rd"><div class="rd_t">图片新闻</div><a href="javascript:;"><img src="/images/pic1.jpg" alt="" /></a></div>
</td>
</tr>
</table>
<div class="bottom">
<p>安庆日报社主办　安庆新闻网版权所有　未经许可不得转载</p>
<p>$icp　皖公网安备 34080202000456号　互联网新闻信息服务许可证编号：34120180008</p>
<p>新闻热线：0556-50001111　违法和不良信息举报：0556-50002222</p>
</div>
</body>
</html>
"""

AQNEWS_ARTICLE = """<div class="wz_bt"><h1>$title</h1></div>
<div class="wz_xx">$time　来源：$outlet　$author</div>
<div class="wz_nr" id="ozoom">
<!--enpcontent-->$body
$byline
<P>总值班：$duty　编辑：$editor_name</P>
<P>来源：安庆日报</P><!--/enpcontent-->
</div>
<div class="fx">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>"""

AQNEWS_LIST = """<div class="lb_t">安庆新闻</div>
<ul class="lb">
$items
</ul>
<div class="fy"><a href="$first">首页</a> $prev $next 共$pages页</div>"""

JLGOV_FRAME = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>$page_title</title>
<meta name="SiteName" content="吉林省人民政府">
<meta name="SiteIDCode" content="2200000001">
$head
<link rel="stylesheet" href="/images/common.css">
<script src="/images/jquery.min.js"></script>
</head>
<body>
<div class="top"><div class="wrap"><span class="fl">欢迎访问吉林省人民政府网站</span><span class="fr"><a href="javascript:;">无障碍</a> | <a href="javascript:;">长者模式</a> | <a href="javascript:;">English</a></span></div></div>
<div class="header"><div class="wrap"><img src="/images/logo.png" alt="吉林省人民政府"></div></div>
<div class="nav"><div class="wrap"><a href="/">首页</a><a href="/zw/index.html">政务</a><a href="javascript:;">服务</a><a href="javascript:;">互动</a><a href="javascript:;">数据</a><a href="javascript:;">吉林概况</a></div></div>
<div class="wrap">
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zw/index.html">政务</a> &gt; <a href="/zw/index.html">要闻动态</a>$crumb</div>
$main
<div class="xglj"><h3>热点信息</h3><ul>
$hot
</ul></div>
</div>
<div class="footer"><div class="wrap">
<p><a href="javascript:;">网站地图</a> | <a href="javascript:;">联系我们</a> | <a href="javascript:;">使用帮助</a></p>
<p>主办：吉林省人民政府办公厅　承办：吉林省政务服务和数字化建设管理局</p>
<p>网站标识码：2200000001　$icp　吉公网安备 22010202000120号</p>
</div></div>
</body>
</html>
"""

JLGOV_ARTICLE = """<div class="detail">
<div class="detail_title"><h1>$title</h1></div>
<div class="detail_info"><span>时间: $time</span>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;<span>来源: $outlet</span>
<span class="fxsj">分享本页至手机<img src="/images/qrcode.png" alt=""></span>
<span class="zh">字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span></div>
<div id="zoom">
$body
</div>
$editor
<div class="tjid">$tid</div>
<div class="print"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div>"""

# TRS WCM, as the real jl.gov.cn (t{YYYYMMDD}_{id} article URLs): pages index.html, index_1.html …
# linked only by the JavaScript pager (createPageHTML), article hrefs relative ("./202209/t….html").
JLGOV_LIST = """<div class="list_con"><h2>要闻动态</h2>
<ul class="list">
$items
</ul>
<div class="page">""" + WCM_FUNCTION + """
<script type="text/javascript">
createPageHTML($pages, $cur, "index", "html");
</script></div></div>"""

CINIC_FRAME = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>$page_title</title>
$head
<link rel="stylesheet" href="/static/css/common.css">
</head>
<body>
<div class="dc-head"><div class="w1200"><a class="logo" href="/"><img src="/static/img/logo.png" alt="中国产业经济信息网"></a>
<ul class="dc-nav"><li><a href="/">首页</a></li><li><a href="javascript:;">宏观</a></li><li><a href="javascript:;">产经</a></li><li><a href="/xw/dfjj/index.html">地方</a></li><li><a href="javascript:;">企业</a></li><li><a href="javascript:;">专题</a></li><li><a href="javascript:;">视频</a></li></ul></div></div>
<div class="w1200 dc-crumb"><a href="/">首页</a> &gt; <a href="/xw/dfjj/index.html">地方经济</a>$crumb</div>
<div class="w1200 clearfix">
<div class="dc-left">
$main
</div>
<div class="dc-right">
<div class="dc-box"><h3>热点新闻</h3><ul>
$hot
</ul></div>
<div class="dc-box"><h3>热点舆情</h3><ul><li>工业互联网平台建设提速</li><li>制造业数字化转型观察</li></ul></div>
<div class="dc-box"><h3>特色小镇</h3><ul><li>浙江云栖小镇</li><li>吉林长白山红丰小镇</li></ul></div>
</div>
</div>
<div class="dc-foot"><p><a href="javascript:;">关于我们</a> | <a href="javascript:;">联系我们</a> | <a href="javascript:;">版权声明</a></p>
<p>版权所有：中国产业经济信息网　$icp　京公网安备11010802031234号</p></div>
</body>
</html>
"""

CINIC_ARTICLE = """<div class="dc-ccm1">
<h1 class="dc-title">$title</h1>
<div class="dc-info"><span>$time</span> <span>来源：$outlet</span> $author</div>
<div class="dc-ccm1-cont" id="Content">
$body
<p class="dc-source">来源：$outlet</p>
<p class="dc-bq">版权及免责声明：凡注明“来源：中国产业经济信息网”的作品，版权均属本网所有，未经书面授权不得转载、摘编或以其他方式使用；已获授权的，须注明出处。本网转载其他媒体的稿件，旨在传递更多信息，不代表本网赞同其观点，也不对其真实性负责。版权事宜请致电：010-65001234。</p>
<p class="dc-copy">版权所有：中国产业经济信息网　京ICP备10000426号-2</p>
</div>
$editor
<div class="dc-ycyd"><h3>延伸阅读</h3><ul>
$related
</ul></div>
<div class="dc-rdsp"><h3>热点视频</h3><ul><li><a href="javascript:;"><img src="/static/img/v1.jpg" alt="">全国产业经济发展论坛精彩回顾</a></li></ul></div>
</div>"""

CINIC_LIST = """<div class="dc-list"><h2>地方经济</h2>
<ul>
$items
</ul></div>"""

BIG5_FRAME = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=big5">
<title>$page_title</title>
$head
<link rel="stylesheet" href="/css/main.css">
</head>
<body>
<div id="hd"><a href="/" class="logo">香江财经网</a>
<div id="nav"><a href="/">首页</a> | <a href="/news/index.htm">内地经济</a> | <a href="javascript:;">香港财经</a> | <a href="javascript:;">国际</a> | <a href="javascript:;">专题</a> | <a href="javascript:;">简体版</a></div></div>
<div class="crumb"><a href="/">首页</a> &gt; <a href="/news/index.htm">内地经济</a>$crumb</div>
<div id="main">
<div id="content">
$main
</div>
<div id="side"><h3>热点新闻</h3><ul>
$hot
</ul>
<h3>市场行情</h3><p>港股大市 17,523.81 +1.2%</p></div>
</div>
<div id="ft"><p>香江财经网 版权所有 &copy; 2022</p><p>$icp</p><p>本网站部分内容转载自内地媒体，如有侵权请联络：(852) 2000 1234</p></div>
</body>
</html>
"""

BIG5_ARTICLE = """<div class="art">
<h1>$title</h1>
<p class="meta">$time　来源：$outlet　$author</p>
<div class="article-body">
$body
$editor
</div>
<div class="notice">【免责声明】本网转载文章仅供读者参考，不代表本网立场。</div>
</div>"""

BIG5_LIST = """<h2>内地经济</h2>
<ul class="newslist">
$items
</ul>"""

RUBY_FRAME = """<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$page_title</title>
$head
<style>ruby rt{font-size:50%;color:#c33}.post-body p{line-height:2.4}</style>
</head>
<body>
<header class="site-header"><a class="brand" href="/">汉字注音阅读网</a>
<nav><a href="/">首页</a> <a href="/read/index.html">注音阅读</a> <a href="javascript:;">成语故事</a> <a href="javascript:;">古诗文</a> <a href="javascript:;">关于本站</a></nav></header>
<main class="container">
<nav class="breadcrumb"><a href="/">首页</a> / <a href="/read/index.html">注音阅读</a>$crumb</nav>
<div class="row"><div class="col-main">
$main
</div>
<aside class="col-side"><h3>热门文章</h3><ol>
$hot
</ol></aside></div>
</main>
<footer class="site-footer"><p>汉字注音阅读网 版权所有　$icp</p><p>本站文章注音由程序自动生成，仅供学习参考。</p></footer>
</body>
</html>
"""

RUBY_ARTICLE = """<article class="post">
<h1 class="post-title">$title</h1>
<div class="post-meta"><time datetime="$iso">$time</time> · 来源：$outlet $author</div>
<div class="post-body">
$body
</div>
$editor
<div class="post-tips">注音仅供参考，如发现错漏，欢迎留言指正。</div>
</article>"""

RUBY_LIST = """<h2>注音阅读</h2>
<ul class="post-list">
$items
</ul>"""

ITEM = '<li><a href="{href}" target="_blank">{title}</a><span>{date}</span></li>'
HOT = '<li><a href="/{path}" target="_blank">{title}</a></li>'

TEMPLATES = {
    "jlcity": {
        "frame": JLCITY_FRAME, "article": JLCITY_ARTICLE, "list": JLCITY_LIST, "href": "rel",
        "section": "江城经济", "para": "<p>{}</p>", "hot": HOT,
        "item": '<li><span class="date">{date}</span><a href="{href}" target="_blank" title="{title}">{title}</a></li>',
        "opt": {"author": '<span class="author">作者：{}</span>', "editor": '<div class="editor">【责任编辑：{}】</div>',
                "byline": "<p>{}</p>", "orig": "<p>原标题：{}</p>", "crumb": " &gt; 正文",
                "prev": '<a href="{}">上一页</a>', "next": '<a href="{}">下一页</a>'},
        "head": '<meta name="keywords" content="$title" />\n<meta name="description" content="$desc" />',
        "noise": ["反侵权公告", "责任编辑", "热点排行", "吉ICP备", "分享到"],
    },
    "aqnews": {
        "frame": AQNEWS_FRAME, "article": AQNEWS_ARTICLE, "list": AQNEWS_LIST, "href": "abs",
        "section": "安庆新闻", "para": "<P>　　{}</P>", "hot": HOT,
        "item": '<li><a href="{href}" target="_blank">{title}</a> <span>[{date}]</span></li>',
        "opt": {"author": "作者：{}", "byline": '<P align="right">{}</P>', "crumb": " &gt;&gt; 正文",
                "prev": '<a href="{}">上一页</a>', "next": '<a href="{}">下一页</a>'},
        "head": '<meta name="description" content="$desc" />',
        "noise": ["总值班", "来源：安庆日报", "热点新闻", "皖ICP备", "打印本页"],
    },
    "jlgov": {
        "frame": JLGOV_FRAME, "article": JLGOV_ARTICLE, "list": JLGOV_LIST, "href": "trs",
        "section": "要闻动态", "para": "<p>　　{}</p>",
        "hot": '<li><a href="javascript:;" title="{title}">{title}</a></li>',
        "item": '<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{date}</span></li>',
        "opt": {"editor": '<div class="zrbj">责任编辑: {}</div>', "crumb": " &gt; 正文"},
        "head": '<meta name="ColumnName" content="要闻动态">\n<meta name="ArticleTitle" content="$title">\n'
                '<meta name="PubDate" content="$pubdate">\n<meta name="ContentSource" content="$outlet">',
        "noise": ["分享本页至手机", "责任编辑", "热点信息", "吉ICP备", "网站标识码"],
    },
    "cinic": {
        "frame": CINIC_FRAME, "article": CINIC_ARTICLE, "list": CINIC_LIST, "href": "abs",
        "section": "地方经济", "para": "<p>{}</p>", "hot": HOT, "item": ITEM,
        "opt": {"author": "<span>作者：{}</span>", "editor": '<div class="dc-zrbj">责任编辑：{}</div>',
                "crumb": " &gt; 正文"},
        "head": '<meta name="keywords" content="$title">\n<meta name="description" content="$desc">',
        "noise": ["版权及免责声明", "延伸阅读", "热点视频", "热点新闻", "版权所有", "京ICP备"],
    },
    "big5mirror": {
        "frame": BIG5_FRAME, "article": BIG5_ARTICLE, "list": BIG5_LIST, "href": "rel",
        "section": "内地经济", "para": "<p>{}</p>", "hot": HOT, "item": ITEM,
        "opt": {"author": "作者：{}", "editor": '<p class="editor">（责任编辑：{}）</p>', "crumb": " &gt; 正文"},
        "head": "",
        "noise": ["责任编辑", "免责声明", "热点新闻", "粤ICP备", "市场行情"],
    },
    "rubymirror": {
        "frame": RUBY_FRAME, "article": RUBY_ARTICLE, "list": RUBY_LIST, "href": "abs",
        "section": "注音阅读", "para": "<p>{}</p>", "hot": HOT, "item": ITEM,
        "opt": {"author": "作者：{}", "editor": '<p class="post-editor">编辑：{}</p>', "crumb": " / 正文"},
        "head": '<meta property="og:title" content="$title">',
        "noise": ["编辑：", "热门文章", "闽ICP备", "注音仅供参考"],
    },
}
