"""Which messages to screen first: a transparent score of how concrete a
proposal is, with the reason shown to staff.

It looks for what makes a proposal worth reading early — a concrete measure,
a responsible actor or department, numbers, a named bottleneck — and never
for length alone (a long complaint scores no higher than a short one). It
only orders the queue; nothing is set aside because of it.
"""
import re
from typing import NamedTuple

# 建立…机制、设立…基金、推行…清单: an action verb, then what it creates or changes.
_MEASURE = re.compile(
    r"(建议|应当|应该|可以|要)?(建立|设立|推行|实行|推广|出台|制定|开通|设置|试点|取消|简化|压缩|整合|统一|"
    r"实施|组建|搭建|建设|引入|推动|落实|下放|放宽|减免|补贴|纳入|公开|公示|实现|明确)"
    r"[^，。；！？]{0,12}?(机制|制度|清单|平台|基金|专班|目录|标准|办法|窗口|通道|系统|政策|台账|考核|"
    r"名单|流程|模式|试点|服务|中心|规定|时限|补贴|奖励|指标)")
_ACTOR = re.compile(
    r"(省|市|州|县|区)(委|政府|人大|政协)|[\u4e00-\u9fa5]{1,6}(厅|局|委员会|管委会|办公室|部门|银行|"
    r"协会|商会|国资委|平台公司)|牵头|负责|责任单位|主管部门|职能部门")
_NUMBER = re.compile(
    r"(\d+(\.\d+)?|[一二三四五六七八九十百千万两]+)\s*(%|％|个工作日|工作日|万元|亿元|万|亿|天|日|个月|年|小时|"
    r"项|家|个|元|倍|人|次|成)")
_BOTTLENECK = re.compile(
    r"瓶颈|堵点|难点|痛点|卡脖子|门槛|制约|拖欠|不兑现|难以|困难|繁琐|重复|推诿|不到位|落地难|融资难|"
    r"审批慢|周期长|成本高|短板|壁垒|障碍")
# A personal complaint or request for help (我家小区、请问、投诉): read later, never rejected for it.
_PERSONAL = re.compile(
    r"我家|本人|我们小区|我小区|请问|求助|投诉|举报|恳请|麻烦|谢谢|救救|业主|物业|退费|退款")

_WEIGHTS = {"measure": 2.0, "actor": 1.5, "number": 1.0, "bottleneck": 1.0}
_NAMES = {"measure": "具体措施", "actor": "责任部门", "number": "具体数字", "bottleneck": "明确的瓶颈"}


class Worth(NamedTuple):
    score: float
    reason: str


def _joined(names):
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


# A sentence that proposes something: departments and numbers count there (a target, who does it),
# not in a complaint's account of what happened (A市住建局…三个月了).
_PROPOSING = re.compile(
    r"建议|应当|应该|可以|不妨|最好|希望|呼吁|要(把|让|对|在|从|建立|设立|推行|出台|落实)|能否|由")
_SENTENCE = re.compile(r"[^。！？；\n]+")


def worth(text):
    """Score (higher: screen earlier) and a Chinese reason such as
    "提出了具体措施和责任部门" for one message's text."""
    text = text or ""
    proposing = " ".join(s for s in _SENTENCE.findall(text) if _PROPOSING.search(s))
    found = {
        "measure": len(_MEASURE.findall(proposing)),
        "actor": len(_ACTOR.findall(proposing)),
        "number": len(_NUMBER.findall(proposing)),
        "bottleneck": len(_BOTTLENECK.findall(text)),
    }
    # Each kind counts once, a second instance half again: repeating a word is not more concrete.
    score = sum(_WEIGHTS[k] * (min(n, 1) + 0.5 * (n >= 2)) for k, n in found.items())
    score += 0.5 * bool(proposing)
    personal = len(_PERSONAL.findall(text))
    score -= 1.5 * min(personal, 2)
    present = [k for k in ("measure", "actor", "number", "bottleneck") if found[k]]
    if not present:
        reason = "未写出具体措施、责任部门或数字"
    else:
        offered = [_NAMES[k] for k in present if k != "bottleneck"]
        parts = [f"提出了{_joined(offered)}"] if offered else []
        if "bottleneck" in present:
            parts.append("指出了明确的瓶颈")
        reason = "，".join(parts)
    if personal:
        reason += "；像个人诉求"
    return Worth(round(score, 2), reason)
