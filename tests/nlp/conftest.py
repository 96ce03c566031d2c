"""Small made-up fixtures for the nlp tests: five themes and a few ideas each."""
import copy

import pytest

import nlp.segmenter
from nlp.segmenter import Segmenter
from nlp.theme_base import theme_keywords

THEMES = [
    {"code": "costs", "name": "降低融资物流用工成本",
     "description": "缓解企业融资难、融资贵，降低物流成本，解决招工难。",
     "keywords": ["融资难", "融资贵", "贷款", "融资担保", "物流成本", "多式联运", "招工难"]},
    {"code": "staffing", "name": "规范编外人员和财政供养",
     "description": "清理规范机关事业单位编外人员，减轻财政供养负担。",
     "keywords": ["编外人员", "临聘人员", "借调", "财政供养", "人浮于事", "编制"]},
    {"code": "parks", "name": "理顺产业园区运行机制",
     "description": "精简园区管理机构，推进政区分设和市场化运营，提高亩均效益。",
     "keywords": ["产业园区", "园区", "开发区", "管委会", "叠床架屋", "政区分设", "亩均效益"]},
    {"code": "tech", "name": "打通科技成果转化",
     "description": "赋予科研人员职务科技成果所有权，建设中试平台和技术经理人队伍。",
     "keywords": ["科技成果转化", "职务科技成果", "高校院所", "专利", "中试", "技术经理人"]},
    {"code": "business", "name": "优化营商环境",
     "description": "清理涉企收费，兑现招商引资承诺，推进一件事一次办。",
     "keywords": ["营商环境", "乱收费", "承诺不兑现", "拖欠账款", "一件事一次办", "新官不理旧账"]},
    {"code": "other", "name": "其他", "is_other": True,
     "description": "不属于以上瓶颈的其他意见建议。", "keywords": []},
]

IDEAS = [
    ("costs", "小微企业融资难融资贵，银行贷款要求抵押太多，建议扩大政府性融资担保规模。"),
    ("costs", "我们公司申请贷款跑了五家银行，利息高、手续多，融资难问题亟待解决。"),
    ("costs", "物流成本太高，建议发展多式联运，铁路和水运衔接起来降低运费。"),
    ("costs", "制造企业招工难，技术工人留不住，用工成本年年上涨。"),
    ("costs", "建议设立中小企业贷款风险补偿资金，银行敢贷愿贷，缓解融资贵。"),
    ("staffing", "一些单位编外人员比在编人员还多，人浮于事，财政供养负担很重。"),
    ("staffing", "临聘人员和借调人员长期不回原单位，建议清理规范借调。"),
    ("staffing", "乡镇编外人员数量不清，建议摸清底数，严控新增编外人员。"),
    ("staffing", "财政供养人员过多挤占民生资金，事业单位编制应当精简。"),
    ("staffing", "借调成风，基层单位的人被上级长期借调，临聘人员顶岗干活。"),
    ("parks", "产业园区管委会机构重叠，叠床架屋，企业办事要找好几个部门。"),
    ("parks", "开发区既管经济又管社会事务，建议推进政区分设，园区专心招商。"),
    ("parks", "园区亩均效益不高，很多标准厂房闲置，土地利用粗放。"),
    ("parks", "建议园区引入市场化运营公司，管委会精简人员，提高亩均效益。"),
    ("parks", "开发区管委会和街道职责交叉，园区企业反映多头管理。"),
    ("tech", "高校院所的专利躺在抽屉里，科技成果转化率很低。"),
    ("tech", "建议赋予科研人员职务科技成果所有权，让他们敢转愿转。"),
    ("tech", "缺少中试平台和技术经理人，实验室成果很难走向产业化。"),
    ("tech", "高校院所专利转让审批复杂，科技成果转化收益分配不清楚。"),
    ("tech", "培养专业的技术经理人队伍，打通科技成果转化最后一公里。"),
    ("business", "有的地方招商引资承诺不兑现，新官不理旧账，企业很寒心。"),
    ("business", "涉企乱收费屡禁不止，检查太多太频繁，营商环境需要改善。"),
    ("business", "政府拖欠民营企业账款多年，建议建立清欠机制优化营商环境。"),
    ("business", "开办企业要跑很多窗口，建议推行一件事一次办，材料只交一次。"),
    ("business", "新官不理旧账，前任签的招商合同不认，拖欠账款迟迟不付。"),
]


@pytest.fixture(scope="package")
def segmenter(tmp_path_factory):
    """One segmenter for the whole run, installed as the process default."""
    built = Segmenter(cache_dir=tmp_path_factory.mktemp("jieba"),
                      user_words=theme_keywords(THEMES))
    previous = nlp.segmenter._default_segmenter
    nlp.segmenter.set_default_segmenter(built)
    yield built
    nlp.segmenter.set_default_segmenter(previous)


@pytest.fixture
def themes():
    return copy.deepcopy(THEMES)


@pytest.fixture(scope="package")
def texts():
    return [text for _, text in IDEAS]


@pytest.fixture(scope="package")
def docs(segmenter):
    return [segmenter.segment(text) for _, text in IDEAS]


@pytest.fixture(scope="package")
def labels():
    return [code for code, _ in IDEAS]
