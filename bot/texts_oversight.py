"""The catalogue's texts of oversight (督办): deadlines and their escalation, classification,
assigned matters and the leaders' morning report. Merged into bot.texts.CATALOG; each text on
one line so that translators see it whole."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- deadlines ---
    "due_classify": ("定类期限", "Deadline to classify"),
    "deadline_line": ("{label}：{due}{mark}{extra}", "{label}: {due}{mark}{extra}"),
    "deadline_met": ("（已于 {at} 完成）", " (met {at})"),
    "deadline_met_late": ("（逾期，{at} 完成）", " (met late, {at})"),
    "deadline_extended": ("（已延长 {days} 天）", " (extended by {days} {days@day})"),
    "mycase_due": ("\n{label}：{due}", "\n{label}: {due}"),
    "deadline_soon": ("⏳ {number}：{label}为 {due}，还有 {days} 天。负责人：{owner}。", "⏳ {number} — {label}: {due}, {days} {days@day} from now. Owner: {owner}."),
    "deadline_today": ("⏳ {number}：{label}为今天（{due}）。负责人：{owner}。", "⏳ {number} — {label}: today ({due}). Owner: {owner}."),
    "deadline_overdue": ("🔴 {number} 已逾期：{label}为 {due}。负责人：{owner}。请尽快办理并报告。", "🔴 {number} is overdue — {label}: {due}. Owner: {owner}. Please handle it and report at once."),
    # --- classification (2022 信访工作条例 arts. 29-31) ---
    "category_suggestion": ("建议意见类（第二十九条）", "Suggestion or opinion (art. 29)"),
    "category_accusation": ("检举控告类（第三十条）", "Report or accusation (art. 30)"),
    "category_route": ("申诉求决类·依法定途径（第三十一条第一至五项）", "Claim by a legal route (art. 31(1)-(5))"),
    "category_claim": ("申诉求决类·信访程序办理（第三十一条第六项）", "Claim handled as a petition (art. 31(6))"),
    "ask_category": ("请确定 {number} 的信访事项类别：", "Please classify {number}:"),
    "category_set": ("{number} 已定为{category}，办结期限：{due}。", "{number} is classified as: {category}. Deadline to handle: {due}."),
    "category_same": ("{number} 已是{category}，未作更改。", "{number} is classified as {category} already; nothing changed."),
    "classify_late": ("⏳ {number} 尚未确定信访事项类别（{label}：{due}）。请选择：", "⏳ {number} is not classified yet ({label}: {due}). Please choose:"),
    # --- a screening item's target date ---
    "item_ask_target": ("化解目标日期？请发送日期（如 2031-12-20），或按规定时限（{days} 天）。", "By when is it to be settled? Send a date (like 2031-12-20), or use the office's limit ({days} {days@day})."),
    "btn_target_default": ("按规定时限（{days} 天）", "The office's limit ({days} {days@day})"),
    "err_target_day": ("目标日期须在今天至一年以内，请重新发送。", "The target date must be between today and a year from now. Please send another."),
}
