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
    # --- matters assigned by superiors (上级交办) ---
    "cmd_matter": ("登记上级交办事项", "Register an assigned matter, handed down by a superior"),
    "cmd_matters": ("未办结的上级交办事项及期限", "Open assigned matters and their deadlines"),
    "matter_ask_source": ("请发送交办来源（如 市信访局）：", "Which superior assigned it (e.g. the city petition bureau)?"),
    "matter_ask_doc": ("请发送交办文号（如 市信转〔2031〕12号）：", "Its document number?"),
    "matter_ask_content": ("请发送交办内容：", "What is it about?"),
    "matter_ask_due": ("请发送办结期限（日期，如 2031-12-20）：", "Its deadline (a date, like 2031-12-20)?"),
    "matter_ask_owner": ("请选择承办人：", "Who handles it?"),
    "matter_ask_case": ("如关联某一事项，请发送事项编号（如 QZ-2031-000001）；否则按“不关联”。", "To link it to a case, send the case number (like QZ-2031-000001); otherwise press No case."),
    "btn_matter_no_case": ("不关联", "No case"),
    "matter_case": ("\n关联事项：{number}", "\nCase: {number}"),
    "matter_registered": ("已登记交办事项 J{id}：{source} {doc}，期限 {due}，承办人：{owner}。{case}", "Assigned matter J{id} registered: {source} {doc}, due {due}, handled by {owner}.{case}"),
    "matter_to_owner": ("📌 交办事项 J{id} 由您承办：{source} {doc}\n{content}\n期限：{due}{case}", "📌 You handle assigned matter J{id}: {source} {doc}\n{content}\nDue: {due}{case}"),
    "btn_matter_report": ("报告办理结果", "Report the result"),
    "btn_matter_report_id": ("报告 J{id}", "Report J{id}"),
    "matter_ask_result": ("请发送 J{id} 的办理结果（文字，可附图片或文件）：", "Send the result of J{id} (text, with photos or files if any):"),
    "matter_reported": ("J{id} 的办理结果已报送。{late}", "The result of J{id} is reported.{late}"),
    "matter_late": ("（逾期报送）", " (reported late)"),
    "matter_result_to_registrar": ("✅ 交办事项 J{id}（{source} {doc}）已报送结果，承办人：{by}。{late}\n{result}", "✅ Assigned matter J{id} ({source} {doc}): {by} reported the result.{late}\n{result}"),
    "err_matter_long": ("内容过长（{length} 字），请控制在 {max} 字以内。", "That is too long ({length} characters); please keep it within {max}."),
    "err_matter_not_owner": ("J{id} 由 {name} 承办，只有承办人或领导可以这样做。", "J{id} is handled by {name}; only they or a leader can do that."),
    "err_matter_reported": ("J{id} 已报送结果。", "The result of J{id} is reported already."),
    "matters_empty": ("目前没有未办结的交办事项。", "There are no open assigned matters."),
    "matters_title": ("未办结的交办事项（{count}）：", "Open assigned matters ({count}):"),
    "matters_line": ("J{id} · {source} {doc} · 期限 {due}{mark} · {owner}\n　{content}", "J{id} · {source} {doc} · due {due}{mark} · {owner}\n  {content}"),
    "matter_soon": ("⏳ 交办事项 J{id}（{source} {doc}）期限为 {due}，还有 {days} 天。承办人：{owner}。", "⏳ Assigned matter J{id} ({source} {doc}) is due {due}, {days} {days@day} from now. Handled by {owner}."),
    "matter_today": ("⏳ 交办事项 J{id}（{source} {doc}）今天到期（{due}）。承办人：{owner}。", "⏳ Assigned matter J{id} ({source} {doc}) is due today ({due}). Handled by {owner}."),
    "matter_overdue": ("🔴 交办事项 J{id}（{source} {doc}）已逾期：期限为 {due}。承办人：{owner}。", "🔴 Assigned matter J{id} ({source} {doc}) is overdue: it was due {due}. Handled by {owner}."),
}
