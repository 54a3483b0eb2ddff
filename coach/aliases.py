"""Names of one employer, school or field in English and Chinese (SPEC §6: personalization across languages).

A Chinese message to a mentor at "Morgan Stanley" says 摩根士丹利 or 大摩; one to a Tsinghua alumna says 清华. The
coach counts either spelling as naming the mentor's company or school, and reads the common Chinese names of fields
and skills (机器学习, 信用风险, 投行) as their English words when it looks for what a message says of the mentor.

Each entry lists every name of one organisation; the first is the English name. A mentor's own field in either script
is matched as it is; this table adds the other script's names for well-known employers and universities of the
students this service serves. It is data, not code: add a row when a tenant's mentors need one.
"""
import re
from functools import lru_cache

from .similarity import normalise

ORGANISATIONS: tuple[tuple[str, ...], ...] = (
    # employers
    ("Morgan Stanley", "摩根士丹利", "大摩", "摩根斯坦利"),
    ("Goldman Sachs", "高盛"),
    ("JPMorgan", "JP Morgan", "J.P. Morgan", "JPMorgan Chase", "摩根大通", "小摩"),
    ("Citi", "Citigroup", "Citibank", "花旗", "花旗银行", "花旗集团"),
    ("Bank of America", "BofA", "美国银行", "美银"),
    ("Wells Fargo", "富国银行"),
    ("BlackRock", "贝莱德"),
    ("Capital One", "第一资本"),
    ("American Express", "Amex", "美国运通"),
    ("Visa", "维萨"),
    ("Mastercard", "万事达"),
    ("Deutsche Bank", "德意志银行"),
    ("UBS", "瑞银"),
    ("HSBC", "汇丰", "汇丰银行"),
    ("Barclays", "巴克莱"),
    ("Fidelity", "富达"),
    ("Citadel", "城堡投资"),
    ("Two Sigma", "双西格玛"),
    ("Jane Street", "简街"),
    ("McKinsey", "McKinsey & Company", "麦肯锡"),
    ("Boston Consulting Group", "BCG", "波士顿咨询", "波士顿咨询公司"),
    ("Bain", "Bain & Company", "贝恩", "贝恩咨询"),
    ("Deloitte", "德勤"),
    ("PwC", "PricewaterhouseCoopers", "普华永道"),
    ("EY", "Ernst & Young", "安永"),
    ("KPMG", "毕马威"),
    ("Accenture", "埃森哲"),
    ("Google", "Alphabet", "谷歌"),
    ("Microsoft", "微软"),
    ("Amazon", "AWS", "亚马逊"),
    ("Apple", "苹果公司"),
    ("Meta", "Facebook", "脸书"),
    ("Netflix", "奈飞", "网飞"),
    ("Nvidia", "英伟达"),
    ("Intel", "英特尔"),
    ("IBM", "国际商业机器"),
    ("Oracle", "甲骨文"),
    ("Salesforce", "赛富时"),
    ("Adobe", "奥多比"),
    ("Tesla", "特斯拉"),
    ("Uber", "优步"),
    ("Airbnb", "爱彼迎"),
    ("LinkedIn", "领英"),
    ("Stripe", "Stripe支付"),
    ("PayPal", "贝宝"),
    ("Tencent", "腾讯"),
    ("Alibaba", "阿里巴巴", "阿里"),
    ("ByteDance", "TikTok", "字节跳动", "字节", "抖音"),
    ("Baidu", "百度"),
    ("Huawei", "华为"),
    ("Xiaomi", "小米"),
    ("JD.com", "JD", "京东"),
    ("Meituan", "美团"),
    ("Pinduoduo", "PDD", "Temu", "拼多多"),
    ("NetEase", "网易"),
    ("Ant Group", "Ant Financial", "蚂蚁集团", "蚂蚁金服"),
    ("DiDi", "滴滴"),
    ("Pfizer", "辉瑞"),
    ("Johnson & Johnson", "J&J", "强生"),
    ("Merck", "默沙东", "默克"),
    ("Novartis", "诺华"),
    ("Roche", "罗氏"),
    ("AstraZeneca", "阿斯利康"),
    ("Procter & Gamble", "P&G", "宝洁"),
    ("Unilever", "联合利华"),
    ("L'Oréal", "L'Oreal", "欧莱雅"),
    ("Nike", "耐克"),
    ("Coca-Cola", "可口可乐"),
    ("PepsiCo", "百事"),
    ("Walmart", "沃尔玛"),
    ("Disney", "迪士尼"),
    ("Boeing", "波音"),
    ("Samsung", "三星"),
    ("Sony", "索尼"),
    ("Toyota", "丰田"),
    # universities
    ("Tsinghua University", "Tsinghua", "清华大学", "清华"),
    ("Peking University", "PKU", "北京大学", "北大"),
    ("Fudan University", "Fudan", "复旦大学", "复旦"),
    ("Shanghai Jiao Tong University", "SJTU", "上海交通大学", "上海交大", "上交"),
    ("Zhejiang University", "ZJU", "浙江大学", "浙大"),
    ("Nanjing University", "南京大学", "南大"),
    ("University of Science and Technology of China", "USTC", "中国科学技术大学", "中国科大", "中科大"),
    ("Wuhan University", "武汉大学", "武大"),
    ("Sun Yat-sen University", "中山大学"),
    ("Renmin University", "中国人民大学"),
    ("The University of Hong Kong", "HKU", "香港大学", "港大"),
    ("HKUST", "Hong Kong University of Science and Technology", "香港科技大学", "港科大"),
    ("National Taiwan University", "NTU Taiwan", "台湾大学", "台大"),
    ("National University of Singapore", "NUS", "新加坡国立大学", "新国大"),
    ("Columbia University", "Columbia", "哥伦比亚大学", "哥大"),
    ("New York University", "NYU", "NYU Stern", "纽约大学", "纽大"),
    ("Stanford University", "Stanford", "斯坦福大学", "斯坦福"),
    ("Harvard University", "Harvard", "哈佛大学", "哈佛"),
    ("Massachusetts Institute of Technology", "MIT", "麻省理工学院", "麻省理工"),
    ("Carnegie Mellon University", "CMU", "Carnegie Mellon", "卡内基梅隆大学", "卡耐基梅隆大学", "卡梅"),
    ("University of California, Berkeley", "UC Berkeley", "Berkeley", "加州大学伯克利分校", "伯克利"),
    ("University of California, Los Angeles", "UCLA", "加州大学洛杉矶分校"),
    ("University of Pennsylvania", "UPenn", "Penn", "Wharton", "宾夕法尼亚大学", "宾大", "沃顿"),
    ("Princeton University", "Princeton", "普林斯顿大学", "普林斯顿"),
    ("Yale University", "Yale", "耶鲁大学", "耶鲁"),
    ("Cornell University", "Cornell", "康奈尔大学", "康奈尔"),
    ("University of Chicago", "UChicago", "Chicago Booth", "芝加哥大学", "芝大"),
    ("Duke University", "Duke", "杜克大学", "杜克"),
    ("Northwestern University", "Northwestern", "西北大学"),
    ("Johns Hopkins University", "Johns Hopkins", "JHU", "约翰霍普金斯大学", "约翰斯·霍普金斯大学"),
    ("University of Michigan", "UMich", "密歇根大学", "密西根大学"),
    ("Georgia Tech", "Georgia Institute of Technology", "佐治亚理工学院", "佐治亚理工"),
    ("University of Washington", "UW", "华盛顿大学"),
    ("Boston University", "BU", "波士顿大学"),
    ("University of Southern California", "USC", "南加州大学", "南加大"),
    ("University of Illinois Urbana-Champaign", "UIUC", "伊利诺伊大学厄巴纳-香槟分校", "伊利诺伊大学"),
    ("University of Toronto", "UofT", "多伦多大学"),
    ("University of Oxford", "Oxford", "牛津大学", "牛津"),
    ("University of Cambridge", "Cambridge", "剑桥大学", "剑桥"),
    ("London School of Economics", "LSE", "伦敦政治经济学院", "伦敦政经"),
    ("Imperial College London", "Imperial College", "帝国理工学院", "帝国理工"),
)

# Chinese names of fields, roles and skills -> the English words a profile uses for them
GLOSSARY: dict[str, str] = {
    "机器学习": "machine learning", "深度学习": "deep learning", "人工智能": "artificial intelligence ai",
    "数据科学": "data science", "数据分析": "data analytics analysis", "数据工程": "data engineering",
    "自然语言处理": "natural language processing nlp", "计算机视觉": "computer vision",
    "推荐系统": "recommender systems",
    "大模型": "llm large language models", "后端": "backend", "前端": "frontend", "全栈": "full stack",
    "分布式系统": "distributed systems", "云计算": "cloud computing", "网络安全": "security cybersecurity",
    "信息安全": "security", "产品经理": "product manager", "产品管理": "product management",
    "用户体验": "ux user experience",
    "软件工程": "software engineering", "测试": "testing", "运维": "devops sre", "芯片": "chip semiconductor",
    "信用风险": "credit risk", "市场风险": "market risk", "风险管理": "risk management", "风控": "risk",
    "压力测试": "stress testing", "量化": "quant quantitative", "量化交易": "quant trading", "交易": "trading",
    "投行": "investment banking", "投资银行": "investment banking", "资产管理": "asset management",
    "私募股权": "private equity", "风险投资": "venture capital", "并购": "m&a mergers acquisitions",
    "财务分析": "financial analysis", "会计": "accounting", "审计": "audit", "精算": "actuarial",
    "固定收益": "fixed income", "衍生品": "derivatives", "金融科技": "fintech", "支付": "payments",
    "咨询": "consulting", "战略": "strategy", "管理咨询": "management consulting", "市场营销": "marketing",
    "营销": "marketing", "品牌": "brand", "供应链": "supply chain", "运营": "operations", "生物技术": "biotech",
    "临床试验": "clinical trials", "药物研发": "drug discovery", "医疗": "healthcare", "生物信息": "bioinformatics",
    "电商": "ecommerce e-commerce", "广告": "advertising ads", "增长": "growth", "游戏": "gaming games",
    "自动驾驶": "autonomous driving", "机器人": "robotics", "硬件": "hardware", "嵌入式": "embedded",
    "微信支付": "wechat pay", "微信": "wechat", "支付宝": "alipay", "抖音": "tiktok douyin", "淘宝": "taobao",
    "天猫": "tmall", "云计算平台": "cloud platform", "信贷": "credit lending", "银行": "banking", "保险": "insurance",
    "房地产": "real estate",
}

_LATIN = re.compile(r"[a-z]")


@lru_cache(maxsize=4096)
def names_of(organisation: str | None) -> tuple[str, ...]:
    """Every known name (normalised) of the organisation named `organisation`, itself first; () when unknown."""
    name = normalise(organisation or "")
    if not name:
        return ()
    found = [name]
    for entry in _ENTRIES:
        if any(_names_same(name, alias) for alias in entry):
            found += [alias for alias in entry if alias not in found]
    return tuple(found)


def _names_same(name: str, alias: str) -> bool:
    """`alias` is `name`, or a whole-word part of it ("goldman sachs" in "goldman sachs & co.")."""
    if name == alias:
        return True
    if not _LATIN.search(alias):  # Chinese: a substring
        return len(alias) >= 2 and alias in name
    return len(alias) >= 4 and re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", name) is not None


_ENTRIES = tuple(tuple(normalise(alias) for alias in entry) for entry in ORGANISATIONS)
# every Chinese name of the table, longest first: masked in fingerprints, whoever the message is addressed to
CJK_NAMES = tuple(sorted({alias for entry in _ENTRIES for alias in entry if not _LATIN.search(alias)}, key=len,
                         reverse=True))
LATIN_NAMES = frozenset(alias for entry in _ENTRIES for alias in entry if _LATIN.search(alias))
_GLOSSARY = tuple(sorted(GLOSSARY.items(), key=lambda item: len(item[0]), reverse=True))


def glossed(text: str | None) -> str:
    """The English words for the Chinese field and skill names in `text` ("" when there are none)."""
    text = text or ""
    return " ".join(english for chinese, english in _GLOSSARY if chinese in text)


def gloss_inline(text: str) -> str:
    """`text` with the English words written after each Chinese field or skill name it holds, where it stands."""
    for chinese, english in _GLOSSARY:
        if chinese in text:
            text = text.replace(chinese, f"{chinese} {english} ")
    return text
