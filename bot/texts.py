"""Every user-facing text, in Chinese (default) and English. `t(lang, key, **params)`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import when, when_day
from bot.texts_ledger import TEXTS as LEDGER
from bot.texts_oversight import TEXTS as OVERSIGHT

log = logging.getLogger(__name__)

# key: (中文, English)
CATALOG: dict[str, tuple[str, str]] = {
    # --- general ---
    "raw": ("{text}", "{text}"),
    "greeting": (
        "您好，{name}！这里是{office}的线上服务台。\n"
        "您可以在这里提出求助、投诉、信访、建议或咨询，随时查看办理进度。",
        "Hello, {name}! This is the online desk of {office}.\n"
        "Here you can raise a request for help, a complaint, a petition, a suggestion or an "
        "inquiry, and follow how it is handled.",
    ),
    "greeting_staff": (
        "您好，{name}（{role}）。用 /cases 查看待办队列，/register 登记来访、来电、来信。",
        "Hello, {name} ({role}). /cases shows the open queue; /register records a visit, "
        "call or letter.",
    ),
    "contact_card": (
        "【干群联系卡】\n{office}\n地址：{address}\n电话：{phone}\n办公时间：周一至周五 {hours}\n"
        "紧急情况请拨打 {emergency}。",
        "[Contact card]\n{office}\nAddress: {address}\nPhone: {phone}\n"
        "Office hours: Monday-Friday {hours}\nIn an emergency call {emergency}.",
    ),
    "lang_choose": ("请选择语言：", "Choose a language:"),
    "lang_set": ("已切换为中文。", "Language set to English."),
    "cancelled": ("已取消。", "Cancelled."),
    "nothing_to_cancel": ("当前没有进行中的操作。", "There is nothing to cancel."),
    "unknown_command": (
        "无法识别该命令。发送 /help 查看可用命令。",
        "I don't know that command. Send /help to see what you can do.",
    ),
    "err_generic": (
        "抱歉，处理您的消息时出错了。我们已记录，请稍后再试。",
        "Sorry, something went wrong with your message. It has been logged; please try again.",
    ),
    "err_unsupported": (
        "暂不支持此类消息（{what}）。请发送文字、图片、文件、语音或视频。",
        "This kind of message ({what}) is not supported. Please send text, photos, files, "
        "voice messages or videos.",
    ),
    "err_file_too_large": (
        "文件《{name}》有 {size} 兆，超过了发送上限（{limit} 兆），未能发出。请缩小范围后重新生成。",
        "The file {name} is {size} MB, over the {limit} MB Telegram allows, and was not sent. Please narrow it down and make it again.",
    ),
    "err_too_large": (
        "文件过大（超过 20 兆），无法接收。请压缩后重发，或到办公室提交。",
        "That file is larger than 20 MB and cannot be accepted. Please send a smaller file, or bring it to the office.",
    ),
    "err_empty": ("消息是空的，请重新发送。", "That message was empty; please send it again."),
    "err_stale_button": (
        "这个按钮已失效，请重新操作。",
        "That button is no longer valid. Please start again.",
    ),
    "err_staff_only": ("只有工作人员可以这样做。", "Only the office's staff can do that."),
    "err_admin_only": ("只有管理员可以这样做。", "Only an admin can do that."),
    "err_case_missing": ("没有找到该事项。", "No such case was found."),
    "err_transition": (
        "事项 {number} 当前为“{state}”，不能这样做。",
        "Case {number} is {state}, which does not allow this.",
    ),
    "err_claim_first": (
        "事项 {number} 还没有人认领。请先点「认领」，再转交或办理。",
        "Nobody has claimed case {number} yet. Claim it first, then hand it over or work on it.",
    ),
    "err_no_such_day": ("{day} 不在节假日日历中，未做任何更改。",
                        "{day} is not in the holiday calendar; nothing was changed."),
    "err_swap_same": ("两个日期的值班领导相同（{name}），交换不会改变任何安排。",
                      "Both days have the same leader ({name}); swapping them would change "
                      "nothing."),
    "err_already_owned": (
        "事项 {number} 已由 {name} 认领。",
        "Case {number} is already owned by {name}.",
    ),
    "err_not_owner": (
        "事项 {number} 由 {name} 负责；只有负责人、局领导或管理员可以这样做。",
        "Case {number} is owned by {name}; only the owner, a leader or an admin can do that.",
    ),
    "err_phone": (
        "电话号码格式不正确，请输入手机号或座机号（如 13800138000 或 0531-12345678），或点「跳过」。",
        "That is not a valid phone number. Type a mobile or landline number (such as "
        "13800138000 or 0531-12345678), or press Skip.",
    ),
    "err_real_name": ("请输入 2-40 个字的真实姓名。", "Please type your real name (2-40 characters)."),
    "err_need_text": ("请输入文字。", "Please type some text."),
    "err_use_buttons": ("请使用上面的按钮选择。", "Please choose with the buttons above."),
    "err_too_many_attachments": (
        "每个事项最多附 {max} 个附件。",
        "A case can carry at most {max} {max@attachment}.",
    ),
    "err_bad_role": ("角色必须是：{roles}", "The role must be one of: {roles}"),
    "err_no_such_user": (
        "没有编号为 {id} 的用户。",
        "There is no user with id {id}.",
    ),
    "err_invite_invalid": (
        "邀请链接无效、已使用或已过期。",
        "This invite link is invalid, already used, or expired.",
    ),
    "err_link": (
        "编号或关联码不正确，或该事项已关联。",
        "The case number or code is wrong, or the case is already linked.",
    ),
    "err_no_transfer_target": (
        "没有可转交的工作人员。",
        "There is no other staff member to hand the case to.",
    ),
    "err_already_extended": (
        "事项 {number} 已延期过一次。",
        "Case {number} has already been extended once.",
    ),
    "err_revoke_self": ("不能撤销自己的角色。", "You cannot revoke your own role."),
    "err_last_admin": (
        "{name} 是本办唯一的管理员，不能失去管理员角色。请先任命另一位管理员。",
        "{name} is the office's only admin and cannot lose the role. Make someone else an "
        "admin first.",
    ),
    "err_no_role": ("{name} 没有角色，无需撤销，未做任何更改。",
                    "{name} holds no role, so there is nothing to revoke; nothing was changed."),
    "err_already_role": ("{name} 的角色已经是{role}，未做任何更改。",
                         "{name} is already {role}; nothing was changed."),
    "err_usage": ("用法：{usage}", "Usage: {usage}"),
    "err_no_working_day": (
        "节假日日历中未来 {days} 天都没有工作日，请管理员检查日历。",
        "The holiday calendar has no working day in the next {days} {days@day}; an admin should check it.",
    ),
    # --- kinds, states, channels ---
    "kind_help": (
        "求助",
        "Request for help",
    ),
    "kind_complaint": ("投诉", "Complaint"),
    "kind_petition": ("信访", "Petition"),
    "kind_suggestion": ("建议", "Suggestion"),
    "kind_inquiry": ("咨询", "Inquiry"),
    "kind_dispute": ("矛盾纠纷", "Dispute"),
    "state_new": (
        "待受理",
        "awaiting acceptance",
    ),
    "state_accepted": (
        "办理中",
        "being handled",
    ),
    "state_resolved": (
        "已办结",
        "resolved",
    ),
    "state_closed": (
        "已关闭",
        "closed",
    ),
    "state_rejected": (
        "不予受理",
        "not accepted",
    ),
    "state_withdrawn": (
        "已撤回",
        "withdrawn",
    ),
    "channel_chat": (
        "线上",
        "online chat",
    ),
    "channel_visit": (
        "来访",
        "visit in person",
    ),
    "channel_phone": (
        "来电",
        "phone call",
    ),
    "channel_letter": (
        "来信",
        "letter",
    ),
    "channel_screening": ("排查发现", "screening round"),
    "role_citizen": ("群众", "citizen"),
    "role_staff": ("工作人员", "staff"),
    "role_leader": ("局领导", "leader"),
    "role_liaison": ("单位联络人", "liaison"),
    "role_admin": ("管理员", "admin"),
    # --- buttons ---
    "btn_new": (
        "提出新事项",
        "New case",
    ),
    "btn_mycases": (
        "我的事项",
        "My cases",
    ),
    "btn_card": ("联系卡", "Contact card"),
    "btn_talks": ("民情恳谈", "Talks"),
    "btn_cases": ("待办队列", "Open queue"),
    "btn_next": ("继续", "Continue"),
    "btn_skip": ("跳过", "Skip"),
    "btn_agree": ("同意", "I agree"),
    "btn_disagree": ("不同意", "I don't agree"),
    "btn_submit": ("提交", "Submit"),
    "btn_cancel": ("取消", "Cancel"),
    "btn_claim": ("认领", "Claim"),
    "btn_reply": ("回复", "Reply"),
    "btn_transfer": ("转交", "Transfer"),
    "btn_resolve": ("办结", "Resolve"),
    "btn_reject": ("不予受理", "Reject"),
    "btn_add_info": ("补充信息", "Add information"),
    "btn_withdraw": ("撤回", "Withdraw"),
    "btn_withdraw_yes": ("确认撤回", "Yes, withdraw"),
    # --- the /new dialogue ---
    "new_choose_kind": (
        "请选择事项类型：",
        "What kind of case is it?",
    ),
    "new_describe": (
        "【{kind}】请描述您的事项（可附图片或文件）。随时发送 /cancel 取消。",
        "[{kind}] Please describe your case (you may attach photos or files). Send /cancel at any time to stop.",
    ),
    "new_need_text": (
        "已收到附件。请再用文字描述一下事项。",
        "Attachment received. Please also describe your case in words.",
    ),
    "new_more_or_next": (
        "已记录（附件 {count} 个）。可继续发送图片或文件补充，完成后点「继续」。",
        "Noted ({count} {count@attachment}). You may send more photos or files; press Continue when done.",
    ),
    "privacy_notice": (
        "【个人信息说明】为办理您的事项，我们会保存您提供的电话、姓名、消息和附件，仅用于办理、联系和依法备查，只有办理人员和领导可见；事项办结后按档案规定保存，到期匿名化处理。是否同意？不同意的，信访事项无法提交，其他事项可以匿名办理（不留姓名和电话）。",
        "[Your personal data] To handle your case we keep the phone number, name, messages and attachments you give us. They are used only to handle it, contact you and keep the records the law requires, and only the staff handling it and the leaders see them. After the case closes they are kept as the archive rules require, then anonymised. Do you agree? Without your agreement a petition cannot be submitted; other cases go on anonymously, with no name or phone.",
    ),
    "privacy_choose": ("请点「同意」或「不同意」。", "Please press I agree or I don't agree."),
    "privacy_declined_petition": (
        "信访事项需要实名，未同意个人信息说明无法提交。您可以改为提出建议或咨询，或到办公室当面反映。",
        "A petition needs your real name, so it cannot be submitted without your agreement. "
        "You can raise a suggestion or inquiry instead, or come to the office in person.",
    ),
    "new_phone": (
        "请留下联系电话，方便工作人员联系您（可跳过）。",
        "Please give a phone number so that staff can reach you (you may skip this).",
    ),
    "new_real_name": ("信访事项需要实名，请输入您的真实姓名：", "A petition needs your real name; please type it:"),
    "new_real_name_known": (
        "信访事项需要实名。使用「{name}」，或输入其他姓名：",
        "A petition needs your real name. Use \"{name}\", or type another:",
    ),
    "new_summary": (
        "请确认：\n类型：{kind}\n内容：{text}\n附件：{count} 个\n电话：{phone}\n姓名：{real_name}",
        "Please confirm:\nKind: {kind}\nText: {text}\nAttachments: {count}\nPhone: {phone}\n"
        "Name: {real_name}",
    ),
    "ack_case": (
        "已受理登记，事项编号 {number}。我们将在 {due} 前告知您是否受理（受理期限）。{after_hours}\n直接发送消息即可补充材料；/mycases 查看进度。\n紧急情况请拨打 {emergency}。",
        "Received. Your case number is {number}. By {due} the office will tell you whether it takes the case up (the deadline to accept).{after_hours}\nSend a message at any time to add to it; /mycases shows its progress.\nIn an emergency call {emergency}.",
    ),
    "ack_after_hours": (
        "\n现在是非办公时间，工作人员将于 {back} 上班后处理。",
        "\nThe office is closed now; staff will be back at {back}.",
    ),
    # --- citizen's cases ---
    "which_case": (
        "您有多个正在办理的事项，这条消息要补充到哪一个？",
        "You have several open cases. Which one is this message about?",
    ),
    "added_to_case": ("已补充到事项 {number}。", "Added to case {number}."),
    "no_open_case": (
        "您目前没有正在办理的事项。要提出新事项吗？",
        "You have no open case. Would you like to raise a new one?",
    ),
    "resolved_reply_ask": (
        "您的消息已记入事项 {number}。该事项已办结：您是对办理结果有异议，还是只是回复？",
        "Your message is kept with case {number}. The case is resolved: do you disagree with "
        "the result, or are you only replying?",
    ),
    "btn_object": ("有异议，重新办理", "I disagree: handle it again"),
    "btn_only_reply": ("只是回复", "Only replying"),
    "resolved_reply_kept": ("好的，您的消息已记入事项 {number}，事项仍为“{state}”。",
                            "Thank you. Your message is kept with case {number}, which stays "
                            "{state}."),
    "case_reopened": (
        "事项 {number} 已重新打开，工作人员会继续办理。",
        "Case {number} is reopened; staff will continue with it.",
    ),
    "mycases_empty": ("您还没有提交过事项。", "You have not raised any case yet."),
    "mycases_title": ("您的事项：", "Your cases:"),
    "mycases_line": ("{number} · {kind} · {state} · 更新于 {updated}",
                     "{number} · {kind} · {state} · updated {updated}"),
    "mycase_head": (
        "{number} · {kind} · {state}{due}",
        "{number} · {kind} · {state}{due}",
    ),
    "add_info_prompt": (
        "请发送要补充到事项 {number} 的内容。",
        "Send what you want to add to case {number}.",
    ),
    "withdraw_confirm": (
        "确定撤回事项 {number} 吗？撤回后不再办理。",
        "Withdraw case {number}? It will no longer be handled.",
    ),
    "withdrawn": ("事项 {number} 已撤回。", "Case {number} is withdrawn."),
    "linked": ("事项 {number} 已与您的账号关联，今后的答复会发到这里。",
               "Case {number} is now linked to this chat; answers will come here."),
    "citizen_accepted": (
        "您的事项 {number} 已受理，办结期限为 {due}。",
        "Your case {number} has been accepted; the deadline to handle it is {due}.",
    ),
    "citizen_resolved": (
        "您的事项 {number} 已办结：\n{summary}\n——{office}\n如有异议，请在 {days} 天内回复本消息，并选择「有异议，重新办理」；逾期未提出的，事项自动关闭。",
        "Your case {number} is resolved:\n{summary}\n— {office}\nIf you disagree, reply to this message within {days} {days@day} and choose \"I disagree\"; after that the case closes by itself.",
    ),
    "citizen_rejected": (
        "您的事项 {number} 不予受理。理由：{reason}",
        "Your case {number} was not accepted. Reason: {reason}",
    ),
    "citizen_closed": ("事项 {number} 已关闭。感谢您的反映。", "Case {number} is closed. Thank you."),
    "citizen_extended": (
        "事项 {number} 的办结期限延长至 {due}。理由：{reason}",
        "The deadline to handle case {number} is extended to {due}. Reason: {reason}",
    ),
    "relay_header_citizen": ("【{office}】关于 {number}：", "[{office}] About {number}:"),
    # --- staff desk ---
    "card": (
        "【{number}】{kind} · {channel}\n群众：{name} · 电话：{phone}\n状态：{state} · 负责人：{owner}\n{deadlines}\n—\n{text}{instructions}",
        "[{number}] {kind} · {channel}\nCitizen: {name} · phone: {phone}\nState: {state} · owner: {owner}\n{deadlines}\n—\n{text}{instructions}",
    ),
    "unclaimed": ("未认领", "unclaimed"),
    "relay_header_staff": ("💬 {number} · {name}：", "💬 {number} · {name}:"),
    "staff_claimed": ("{number} 已由 {name} 认领。", "{number} claimed by {name}."),
    "staff_reopened": ("{number} 群众再次来信，已重新打开。", "{number}: the citizen wrote again; reopened."),
    "staff_withdrawn": ("{number} 已被群众撤回。", "{number} was withdrawn by the citizen."),
    "staff_resolved": ("{number} 已由 {name} 办结。", "{number} resolved by {name}."),
    "staff_rejected": ("{number} 已由 {name} 不予受理。", "{number} rejected by {name}."),
    "staff_transferred": ("{number} 已转交给 {name}。", "{number} handed over to {name}."),
    "ask_reply": (
        "请发送给 {number} 群众的回复（文字、图片或文件）。/cancel 取消。",
        "Send your reply for {number} (text, photos or files). /cancel to stop.",
    ),
    "ask_resolve": ("请输入 {number} 的办结意见：", "Type the resolution summary for {number}:"),
    "ask_reject": ("请输入 {number} 不予受理的理由：", "Type the reason for rejecting {number}:"),
    "ask_transfer": (
        "请输入将 {number} 转交给 {name} 的理由：",
        "Type the reason for handing {number} over to {name}:",
    ),
    "transfer_choose": ("将 {number} 转交给：", "Hand {number} over to:"),
    "transfer_to_you": (
        "{name} 将事项 {number} 转交给您。理由：{reason}\n用 /case {number} 查看。",
        "{name} handed case {number} over to you. Reason: {reason}\n/case {number} shows it.",
    ),
    "transfer_from_you": (
        "事项 {number} 已转交给 {name}。理由：{reason}",
        "Case {number} was handed over to {name}. Reason: {reason}",
    ),
    "transfer_done": ("事项 {number} 已转交给 {name}。", "Case {number} handed over to {name}."),
    "reply_sent": ("已发送给 {number} 的群众。", "Sent to the citizen of {number}."),
    "reply_no_chat": (
        "{number} 是线下登记的事项，群众未关联聊天，已记入内部记录。请电话联系：{phone}",
        "{number} was registered in person and has no chat; kept as an internal note. "
        "Call: {phone}",
    ),
    "extended": (
        "{number} 的办结期限已延至 {due}。",
        "{number}: the deadline to handle it is now {due}.",
    ),
    "queue_empty": ("没有待办事项。", "The queue is empty."),
    "queue_title": ("待办事项（{count}）：", "Open cases ({count}):"),
    "queue_line": ("{number} · {kind} · {state} · {owner} · {created}",
                   "{number} · {kind} · {state} · {owner} · {created}"),
    "owner_chain": ("负责人记录：", "Ownership:"),
    "chain_why": ("（{why}）", " ({why})"),
    "chain_claim": ("认领", "claimed"),
    "chain_reject": ("不予受理", "turned down"),
    "chain_returned": ("退回", "back to the queue"),
    "chain_revoked": ("撤销角色", "role revoked"),
    "chain_assign": ("分办：{reason}", "assigned: {reason}"),
    "chain_transfer": ("转交：{reason}", "handed over: {reason}"),
    "history": ("记录：", "History:"),
    "who_citizen": ("群众", "citizen"),
    "who_internal": ("内部·{name}", "internal · {name}"),
    "who_system": ("系统", "system"),
    "attachments": (
        "（附件 {count} 个）",
        "({count} {count@attachment})",
    ),
    "event_created": ("提交", "submitted"),
    "event_message": ("消息", "message"),
    "event_reply": ("答复", "reply"),
    "event_note": ("备注", "note"),
    "event_claim": ("认领", "claimed"),
    "event_transfer": ("转交", "handed over"),
    "event_resolved": ("办结", "resolved"),
    "event_rejected": ("不予受理", "rejected"),
    "event_withdrawn": ("撤回", "withdrawn"),
    "event_reopened": ("重新打开", "reopened"),
    "event_closed": ("关闭", "closed"),
    "event_linked": ("关联聊天", "chat linked"),
    "event_extended": ("延期", "extended"),
    "event_classified": ("定类", "classified"),
    "event_unassigned": ("退回待认领", "returned to the queue"),
    "staff_hint": (
        "请用 /cases 查看待办，或在卡片上按「回复」后发送内容。",
        "Use /cases for the queue, or press Reply on a card and then send your answer.",
    ),
    # --- register (staff) ---
    "reg_channel": ("登记线下事项：来源是？", "Register a case: how did it reach the office?"),
    "reg_name": ("群众姓名：", "The citizen's name:"),
    "reg_phone": ("群众电话（可跳过）：", "The citizen's phone (or Skip):"),
    "reg_text": (
        "事项内容：",
        "What the case is about:",
    ),
    "reg_summary": (
        "请确认登记：\n来源：{channel}\n类型：{kind}\n姓名：{name}\n电话：{phone}\n内容：{text}",
        "Please confirm:\nChannel: {channel}\nKind: {kind}\nName: {name}\nPhone: {phone}\n"
        "Text: {text}",
    ),
    "reg_done": (
        "已登记 {number}，由您负责。关联码：{code}\n请告知群众：在本机器人发送 /link {number} {code} "
        "即可在线接收答复。",
        "Registered {number}; you own it. Link code: {code}\nTell the citizen: sending "
        "/link {number} {code} to this bot brings the answers to their chat.",
    ),
    # --- admin ---
    "invite_link": (
        "{role} 邀请链接（一次性，{hours} 小时内有效）：\n{link}",
        "Invite link for {role} (one use, valid {hours} {hours@hour}):\n{link}",
    ),
    "invite_welcome": ("欢迎！您的角色现在是：{role}。", "Welcome! Your role is now: {role}."),
    "invite_confirm": (
        "此邀请链接会更改您的角色：{old} → {new}。确认更改吗？",
        "This invite link would change your role: {old} → {new}. Change it?",
    ),
    "btn_invite_yes": ("确认更改", "Change my role"),
    "btn_invite_no": ("保留原角色", "Keep my role"),
    "invite_kept": ("您的角色仍是：{role}。邀请链接未使用。",
                    "Your role is still {role}. The invite link was not used."),
    "left_behind": (
        "{name} 已不再担任局领导，以下安排需要重新指派：\n值班日：{days}\n主持的恳谈：{talks}\n"
        "在重新安排前，这些值班日显示为“未安排”，不会提醒任何人。",
        "{name} is no longer a leader; these need someone else:\nDuty days: {days}\n"
        "Talks they were to host: {talks}\nUntil they are reassigned, those duty days show "
        "as uncovered and nobody is reminded of them.",
    ),
    "none": ("无", "none"),
    "anonymous": ("匿名（未同意个人信息说明）", "anonymous (declined the privacy notice)"),
    "list_sep": ("、", ", "),
    "slot_ref": ("场次 S{id}", "slot S{id}"),
    "booking_ref": ("预约 B{id}", "booking B{id}"),
    "users_title": ("有角色的人员：", "People with roles:"),
    "users_line": ("{id} · {name} · {role}", "{id} · {name} · {role}"),
    "users_empty": ("还没有人被授予角色。", "Nobody has a role yet."),
    "revoked": (
        "已撤销 {name} 的角色（原为 {role}）。退回队列的事项：{numbers}",
        "Revoked the role of {name} (was {role}). Cases returned to the queue: {numbers}",
    ),
    "leaders_cases_returned": (
        "{name} 的角色已撤销，其未办结事项已退回待认领队列：{numbers}",
        "{name}'s role was revoked; their open cases are back in the queue: {numbers}",
    ),
    "failed_empty": ("没有被搁置的更新。", "No update has been set aside."),
    "failed_line": (
        "更新 {id} · 尝试 {attempts} 次 · {error}",
        "update {id} · {attempts} {attempts@attempt} · {error}",
    ),
    "update_set_aside": (
        "⚠️ 更新 {id} 连续处理失败 {attempts} 次，已搁置：{error}\n同类问题今天不再提醒。/failed 查看全部。",
        "⚠️ Update {id} failed {attempts} {attempts@time} and was set aside: {error}\nThe same failure is not reported again today. /failed lists them all.",
    ),
    # --- command menu descriptions ---
    "cmd_start": ("开始 / 联系卡", "Start / contact card"),
    "cmd_new": (
        "提出新事项",
        "Raise a new case",
    ),
    "cmd_mycases": ("我的事项", "My cases"),
    "cmd_link": ("关联线下登记的事项", "Link a case registered in person"),
    "cmd_lang": (
        "切换语言",
        "Change the language",
    ),
    "cmd_cancel": ("取消当前操作", "Stop what you are doing"),
    "cmd_help": ("帮助", "Help"),
    "cmd_cases": ("待办队列", "Open queue"),
    "cmd_case": (
        "查看事项：/case 编号",
        "Show a case: /case NUMBER",
    ),
    "cmd_register": ("登记来访、来电、来信", "Register a visit, call or letter"),
    "cmd_extend": ("延长办理期限", "Extend a case's handling time"),
    "cmd_invite": ("生成邀请链接", "Make an invite link"),
    "cmd_users": ("人员与角色", "People and roles"),
    "cmd_revoke": ("撤销角色", "Revoke a role"),
    "cmd_failed": ("失败的更新", "Updates set aside"),
    "cmd_units": ("下属单位：登记、改名、联络人、负责领导", "Subordinate units: add, rename, liaisons, leader"),
    # --- subordinate units (下属单位) ---
    "units_title": ("下属单位（共 {count} 个）：", "Subordinate units ({count}):"),
    "units_empty": ("还没有登记下属单位。点“新增单位”登记。", "No subordinate units yet. Press “Add a unit” to add one."),
    "units_line": ("{name} · 负责领导：{leader} · 联络人：{liaisons}", "{name} · leader: {leader} · liaisons: {liaisons}"),
    "unit_card": ("【{name}】\n负责领导：{leader}\n联络人：{liaisons}", "[{name}]\nLeader: {leader}\nLiaisons: {liaisons}"),
    "unit_no_liaison": ("⚠️ 无联络人", "⚠️ no liaison"),
    "btn_unit_new": ("新增单位", "Add a unit"),
    "btn_unit_rename": ("改名", "Rename"),
    "btn_unit_liaisons": ("联络人", "Liaisons"),
    "btn_unit_leader": ("负责领导", "Leader"),
    "btn_case_unit": ("所涉单位", "Unit"),
    "btn_no_unit": ("不涉及下属单位", "No unit"),
    "unit_ask_name": ("请发送单位名称（不超过 {max} 个字）。", "Please send the unit's name (at most {max} {max@character})."),
    "unit_added": ("已登记下属单位：{name}。", "Unit added: {name}."),
    "unit_renamed": ("单位已改名为：{name}。", "The unit is now called {name}."),
    "err_unit_exists": ("已有名为“{name}”的单位，请换一个名称。", "A unit called {name} exists already; please choose another name."),
    "err_unit_name": ("单位名称须为 1 至 {max} 个字，请重新发送。", "A unit's name takes 1 to {max} {max@character}; please send it again."),
    "err_unit_missing": ("没有找到该单位。", "No such unit was found."),
    "err_no_units": ("还没有登记下属单位（管理员可用 /units 登记）。", "No subordinate units are registered yet (an admin adds them with /units)."),
    "err_no_liaison_users": ("还没有人具有“单位联络人”角色。请先用 /invite liaison 邀请。", "Nobody has the liaison role yet. Invite them first with /invite liaison."),
    "err_not_liaison": ("用户 {id} 不是单位联络人。", "User {id} is not a liaison."),
    "err_no_leader_users": ("还没有人具有“局领导”角色。", "Nobody has the leader role yet."),
    "unit_choose_liaisons": ("{name} 的联络人（点按添加或移除，✓ 为现任）：", "Liaisons of {name} (press to add or remove; ✓ marks the current ones):"),
    "unit_liaison_added": ("{name} 已成为 {unit} 的联络人。", "{name} is now a liaison of {unit}."),
    "unit_liaison_removed": ("{name} 不再是 {unit} 的联络人。", "{name} is no longer a liaison of {unit}."),
    "unit_choose_leader": ("请选择 {name} 的负责领导：", "Choose the leader responsible for {name}:"),
    "unit_leader_set": ("{unit} 的负责领导：{name}。", "{unit}'s responsible leader: {name}."),
    "case_unit_choose": ("{number} 涉及哪个下属单位？", "Which subordinate unit does {number} concern?"),
    "case_unit_set": ("{number} 所涉单位：{unit}。", "{number} concerns {unit}."),
    "case_unit_cleared": ("{number} 不涉及下属单位。", "{number} concerns no subordinate unit."),
    "event_unit": ("所涉单位", "unit concerned"),
    # --- screening rounds (排查调处) ---
    "cmd_screening": ("排查：本轮的零报告、上报事项与未报单位", "Screening: this round's zero reports, items and silent units"),
    "usage_screening": ("/screening · /screening 2031-12-16", "/screening · /screening 2031-12-16"),
    "screening_prompt": (
        "📋 矛盾纠纷排查（每半月一次）：请报告{unit}本期情况。没有发现问题请点“无异常”（零报告）；有情况请点“上报”，逐件填报。本轮截止：{closes}。",
        "📋 Screening for conflicts and disputes (every half month): please report for {unit}. Nothing found: press “Nothing to report” (a zero report); otherwise press “Report an item”, one item at a time. This round closes {closes}.",
    ),
    "screening_prompt_daily": (
        "📋 敏感时期每日排查：请报告{unit}今日情况。没有发现问题请点“无异常”（零报告）；有情况请点“上报”。本轮截止：{closes}。",
        "📋 Daily screening in a sensitive period: please report for {unit} today. Nothing found: press “Nothing to report” (a zero report); otherwise press “Report an item”. This round closes {closes}.",
    ),
    "screening_remind": (
        "⏰ {unit}尚未报告本轮排查情况（未报告不视为零报告）。请在{closes}前答复。",
        "⏰ {unit} has not answered this screening round yet (silence is not a zero report). Please answer before {closes}.",
    ),
    "btn_screening_zero": ("无异常", "Nothing to report"),
    "btn_screening_report": ("上报", "Report an item"),
    "btn_screening_report_more": ("继续上报", "Report another"),
    "btn_screening_done": ("报送完毕", "That is all"),
    "btn_guarantor_type": ("填写姓名和电话", "Type a name and phone"),
    "btn_view_case": ("查看事项", "View the case"),
    "screening_zero_done": ("已记录{unit}本轮零报告。", "{unit}'s zero report for this round is recorded."),
    "screening_report_done": ("{unit}本轮共上报 {count} 件，报送完毕。", "{unit} reported {count} {count@item} this round; the report is complete."),
    "err_not_unit_liaison": ("您不是{unit}的联络人。", "You are not a liaison of {unit}."),
    "err_round_closed": ("{day}开始的这一轮排查已截止。", "The screening round that opened {day} has closed."),
    "err_zero_after_items": ("{unit}本轮已上报事项，不能再报无异常；报完请点“报送完毕”。", "{unit} has reported items this round, so it cannot give a zero report; press “That is all” when done."),
    "err_already_answered": ("{unit}本轮已经答复过了。", "{unit} has answered this round already."),
    "err_nothing_reported": ("本轮还没有上报事项；没有发现问题请点“无异常”。", "No item has been reported this round; if nothing was found, press “Nothing to report”."),
    "err_no_round_on": ("{day} 没有排查轮次。", "There was no screening round on {day}."),
    "item_ask_what": ("上报{unit}的一件矛盾纠纷。第一步：请简述纠纷情况。", "Reporting a dispute for {unit}. First: please describe the dispute."),
    "item_ask_parties": ("第二步：当事各方是谁？", "Second: who are the parties?"),
    "item_ask_people": ("第三步：涉及多少人？请发送数字。", "Third: how many people are involved? Please send a number."),
    "err_item_people": ("请发送 1 至 100000 之间的数字。", "Please send a number from 1 to 100000."),
    "item_ask_demand": ("第四步：主要诉求是什么？", "Fourth: what is the main demand?"),
    "item_ask_risk": ("第五步：请选择风险等级。", "Fifth: please choose the risk level."),
    "item_ask_guarantor": ("最后：请选择包保责任人，或填写姓名和电话。", "Last: please choose the guarantor, or type a name and a phone."),
    "item_ask_guarantor_text": ("请发送包保责任人的姓名和电话，例如：王明 13800138000。", "Please send the guarantor's name and phone, e.g. Wang Ming 13800138000."),
    "err_guarantor_text": ("请按“姓名 电话”发送，例如：王明 13800138000。", "Please send a name and then a phone, e.g. Wang Ming 13800138000."),
    "item_use_buttons": ("请用上面的按钮选择。", "Please choose with the buttons above."),
    "err_item_long": ("每项最多 {max} 个字，这条有 {length} 个字，请精简后重发。", "Each answer takes at most {max} {max@character}; this one has {length}. Please shorten it."),
    "risk_1": ("一般", "ordinary"),
    "risk_2": ("较大", "considerable"),
    "risk_3": ("重大", "major"),
    "risk_4": ("特别重大", "grave"),
    "item_case_text": (
        "纠纷情况：{what}\n当事各方：{parties}\n涉及人数：{people}\n主要诉求：{demand}",
        "Dispute: {what}\nParties: {parties}\nPeople involved: {people}\nMain demand: {demand}",
    ),
    "item_recorded": (
        "已登记为事项 {number}（{risk}），包保责任人：{guarantor}。还有其他情况请点“继续上报”，报完请点“报送完毕”。",
        "Recorded as case {number} ({risk}); guarantor: {guarantor}. Press “Report another” for more, or “That is all” when done.",
    ),
    "item_serious": (
        "🔴 {unit}上报{risk}矛盾纠纷 {number}：{text}\n包保责任人：{guarantor}。须在 {hours} 小时内（{by}前）报告首次处置措施。",
        "🔴 {unit} reported a {risk} dispute, {number}: {text}\nGuarantor: {guarantor}. The first measures are due within {hours} {hours@hour} (by {by}).",
    ),
    "btn_measures": ("报告处置措施", "Report the first measures"),
    "item_guarantor_serious": (
        "🔴 您是{unit}上报事项 {number} 的包保责任人，须在 {hours} 小时内（{by}前）报告首次处置措施。",
        "🔴 You are the guarantor of {number}, reported by {unit}: its first measures are due within {hours} {hours@hour} (by {by}).",
    ),
    "measures_ask": ("请发送 {number} 的首次处置措施：", "Please send the first measures taken on {number}:"),
    "measures_recorded": ("已记录 {number} 的首次处置措施，并报告局领导。", "The first measures on {number} are recorded and the leaders told."),
    "measures_reported": ("✅ {number} 首次处置措施（{name}）：\n{text}", "✅ First measures on {number} ({name}):\n{text}"),
    "measures_overdue": (
        "🔴 {unit}上报的{risk}事项 {number} 已超过 {hours} 小时，仍未报告首次处置措施。",
        "🔴 {number}, a {risk} item reported by {unit}, has had no first measures reported for {hours} {hours@hour}.",
    ),
    "err_not_guarantor": ("只有 {number} 的包保责任人、负责人、所在单位联络人或局领导可以报告处置措施。", "Only {number}'s guarantor, owner, unit liaison or a leader can report its measures."),
    "err_measures_done": ("{number} 的首次处置措施已经报告过了。", "The first measures on {number} were reported already."),
    "err_measures_long": ("处置措施最多 {max} 个字，这条有 {length} 个字，请精简后重发。", "The measures take at most {max} {max@character}; this has {length}. Please shorten it."),
    "screening_measures_in": (" · ✅ 已报措施", " · ✅ measures in"),
    "screening_measures_due": (" · ⏳ 待报措施", " · ⏳ measures due"),
    "screening_measures_overdue": (" · 🔴 措施逾期", " · 🔴 measures overdue"),
    "event_measures": ("首次处置措施", "first measures"),
    "screening_title": ("排查轮次：{day}（{cadence}），截止 {closes}{closed}", "Screening round of {day} ({cadence}), closes {closes}{closed}"),
    "screening_cadence_semimonthly": ("每半月", "half-monthly"),
    "screening_cadence_daily": ("敏感时期每日", "daily, sensitive period"),
    "screening_closed_mark": ("（已截止）", " (closed)"),
    "screening_none": ("还没有排查轮次。", "No screening round has run yet."),
    "screening_zero": ("零报告（{count}）：{units}", "Zero reports ({count}): {units}"),
    "screening_items": ("上报事项（{count}）：", "Items reported ({count}):"),
    "screening_item_line": ("{risk} · {number} · {unit} · 包保：{guarantor}", "{risk} · {number} · {unit} · guarantor: {guarantor}"),
    "screening_silent": ("未报告（{count}）：{units}", "Silent ({count}): {units}"),
    "screening_no_liaison": ("⚠️ 无联络人的单位：{units}", "⚠️ Units without a liaison: {units}"),
    # --- 批示 (a leader's instruction) ---
    "btn_instruct": ("批示", "Instruct"),
    "instruct_ask": ("请发送对 {number} 的批示：", "Please send your instruction on {number}:"),
    "instruction_sent": ("对 {number} 的批示已转给{told}。", "Your instruction on {number} went to {told}."),
    "instruction_to_queue": ("工作人员（事项尚未认领）", "the staff (nobody has claimed the case yet)"),
    "instruction_to_owner": ("📌 {name}对 {number} 的批示：\n{text}", "📌 {name}'s instruction on {number}:\n{text}"),
    "instruction_to_staff": ("📌 {number} · {name}的批示（事项尚未认领）：\n{text}", "📌 {number} · {name}'s instruction (the case is not yet claimed):\n{text}"),
    "err_leader_only": ("只有局领导可以这样做。", "Only a bureau leader can do that."),
    "err_instruction_long": ("批示最多 {max} 个字，这条有 {length} 个字，请精简后重发。", "An instruction takes at most {max} {max@character}; this one has {length}. Please shorten it and send it again."),
    "card_instructions": ("\n📌 批示：\n{lines}", "\n📌 Instructions:\n{lines}"),
    "event_instruction": ("领导批示", "leader's instruction"),
    # --- sensitive periods (敏感时期) ---
    "cmd_sensitive": ("敏感时期：列出、新增、结束", "Sensitive periods: list, add, end"),
    "usage_sensitive": (
        "/sensitive · /sensitive add 2031-03-01 2031-03-15 全国两会 · /sensitive end P1",
        "/sensitive · /sensitive add 2031-03-01 2031-03-15 National People's Congress · /sensitive end P1",
    ),
    "sensitive_title": ("敏感时期（期间每日排查、每日报告）：", "Sensitive periods (screening and the report every day):"),
    "sensitive_line": ("P{id} {first} 至 {last} · {reason}{now}", "P{id} {first} to {last} · {reason}{now}"),
    "sensitive_now": ("（进行中）", " (in progress)"),
    "sensitive_empty": ("目前没有敏感时期。", "There is no sensitive period now or to come."),
    "sensitive_added": (
        "已设敏感时期 P{id}（{reason}）：{first}至{last}，每日排查、每日报告，节假日照常。",
        "Sensitive period P{id} ({reason}) set: from {first} to {last} screening and the report run every day, holidays included.",
    ),
    "sensitive_ended": ("敏感时期 P{id}（{reason}）已结束，{last}为最后一日。", "Sensitive period P{id} ({reason}) has ended; {last} is its last day."),
    "err_sensitive_reason": ("请写明原因（不超过 {max} 个字）。", "Please give the reason (at most {max} {max@character})."),
    "err_sensitive_order": ("结束日（{last}）早于开始日（{first}）。", "The last day ({last}) is before the first ({first})."),
    "err_sensitive_past": ("结束日（{last}）已过，无需设置。", "The last day ({last}) has passed already."),
    "err_sensitive_missing": ("没有找到该敏感时期。", "No such sensitive period was found."),
    "err_sensitive_over": ("敏感时期 P{id} 已于{last}结束。", "Sensitive period P{id} ended on {last} already."),
    # --- talks (民情恳谈) ---
    "slot_talk_day": ("民情恳谈日", "talk day"),
    "slot_talk_meeting": ("民情恳谈会", "talk meeting"),
    "slot_one_on_one": ("个别恳谈", "one-on-one talk"),
    "slot_reception_day": ("领导接访日", "leader's reception day"),
    "slot_line": (
        "场次 S{id} {kind} · {start}-{end} · {place} · 主持：{host} · 余 {left} 席{topic}",
        "slot S{id} {kind} · {start}-{end} · {place} · host: {host} · {left} {left@seat} left{topic}",
    ),
    "slot_created": ("已创建：{line}", "Created: {line}"),
    "series_created": (
        "已创建循环安排 #{id}，生成 {count} 场。未生成的日期：{skipped}",
        "Series #{id} created; {count} {count@slot} generated. Days left out: {skipped}",
    ),
    "skip_holiday": ("节假日", "a public holiday"),
    "skip_host_busy": ("主持领导另有安排", "the host is busy then"),
    "slot_cancelled": (
        "场次 S{id} 已取消，已通知所有预约者。",
        "Slot S{id} is cancelled; everyone booked was told.",
    ),
    "slot_cancelled_notice": ("很抱歉，以下恳谈已取消：{line}\n原因：{reason}", "Sorry, this talk is cancelled: {line}\nReason: {reason}"),
    "slot_moved": ("已改期：{line}", "Moved: {line}"),
    "slot_moved_notice": ("您预约的恳谈已改期，座位保留：{line}", "The talk you booked has moved; your seat is kept: {line}"),
    "talks_empty": ("近期没有可预约的恳谈。", "No talks are open for booking."),
    "talks_title": ("近期恳谈安排：", "Upcoming talks:"),
    "btn_book": (
        "预约 S{id}",
        "Book S{id}",
    ),
    "btn_waitlist": (
        "候补 S{id}",
        "Waitlist S{id}",
    ),
    "btn_cancel_booking": (
        "取消预约 B{id}",
        "Cancel B{id}",
    ),
    "btn_reschedule": (
        "改约 B{id}",
        "Move B{id}",
    ),
    "btn_decline": ("放弃座位", "Give the seat up"),
    "err_topic_long": (
        "话题最多 {max} 个字，您写了 {length} 个字。请精简后重新发送。",
        "A topic can be at most {max} {max@character}; yours has {length}. Please shorten it and send it again.",
    ),
    "err_talk_not_begun": ("恳谈将于 {start} 开始，开始后才能登记出席和结果。",
                           "The talk begins at {start}; attendance and outcomes are recorded once it has begun."),
    "outcome_case_exists": ("已把结果补记到预约 B{id} 已开立的事项 {number} 中，未再开新事项。",
                            "The outcome is added to case {number}, which booking B{id} opened already; no second case was opened."),
    "book_topic": ("预约：{line}\n请用一句话说明您想谈的问题：", "Booking: {line}\nIn one sentence, what would you like to talk about?"),
    "booked": ("预约成功：{line}\n话题：{topic}\n/mybookings 查看或取消。", "Booked: {line}\nTopic: {topic}\n/mybookings shows or cancels it."),
    "waitlisted": ("已满，您已在候补名单中：{line}\n有空位时会通知您。", "Full: you are on the waitlist for {line}\nYou will be told if a seat frees up."),
    "promoted": ("有空位了，已为您保留：{line}\n如不能参加请点「放弃座位」。", "A seat freed up and is yours: {line}\nIf you cannot come, press Give the seat up."),
    "mybookings_empty": ("您没有预约。发送 /talks 查看安排。", "You have no bookings. /talks shows what is open."),
    "mybookings_title": ("您的预约：", "Your bookings:"),
    "booking_booked": ("已预约", "booked"),
    "booking_waitlisted": ("候补中", "waitlisted"),
    "booking_cancelled": ("预约已取消。", "Booking cancelled."),
    "booking_declined": ("已放弃座位，谢谢告知。", "Seat given up; thank you for telling us."),
    "reschedule_none": ("暂无其他可改约的场次。", "There is no other slot with a free seat."),
    "reschedule_choose": ("改约到：", "Move to:"),
    "rescheduled": ("已改约：{line}", "Moved to: {line}"),
    "attendance_attended": ("到场", "attended"),
    "attendance_no_show": ("未到", "no-show"),
    "attendance_marked": (
        "预约 B{id}：{mark}",
        "Booking B{id}: {mark}",
    ),
    "outcome_recorded": (
        "预约 B{id} 的结果已记录。",
        "The outcome of booking B{id} is recorded.",
    ),
    "outcome_case": (
        "预约 B{id} 的结果已记录，并立为事项 {number}（由您负责）。",
        "The outcome of booking B{id} is recorded and opened as case {number} (you own it).",
    ),
    "citizen_case_from_talk": ("您在恳谈中反映的问题已立为事项 {number}，办理进度可在 /mycases 查看。", "What you raised at the talk is now case {number}; /mycases shows its progress."),
    "host_list": ("明日恳谈：{line}\n参加者及话题：\n{attendees}", "Tomorrow's talk: {line}\nAttendees and topics:\n{attendees}"),
    "reminder_booking": (
        "提醒：您预约的恳谈将于 {start} 开始：{line}",
        "Reminder: your talk starts at {start}: {line}",
    ),
    "err_organiser_only": ("只有工作人员或管理员可以安排恳谈。", "Only staff or admins can arrange talks."),
    "err_slot_kind": ("类型必须是：{kinds}", "The kind must be one of: {kinds}"),
    "err_slot_past": ("开始时间已过。", "The start is in the past."),
    "err_slot_order": ("结束时间必须晚于开始时间。", "The end must come after the start."),
    "err_slot_capacity": ("名额至少为 1。", "The capacity must be at least 1."),
    "err_slot_host_busy": ("主持领导在该时段已有其他安排。", "The host already hosts a slot at that time."),
    "err_host_not_leader": ("{id} 不是局领导。", "{id} is not a leader."),
    "err_slot_missing": ("没有找到该场次，或已取消。", "No such slot, or it was cancelled."),
    "err_slot_full": (
        "场次 S{id} 已满。可以加入候补名单。",
        "Slot S{id} is full. You can join its waitlist.",
    ),
    "err_booking_closed": (
        "开始前 {hours} 小时停止预约。",
        "Booking closes {hours} {hours@hour} before the start.",
    ),
    "err_already_booked": ("您已预约（或候补）这一场。", "You already hold a seat (or a waitlist place) here."),
    "err_booking_limit": (
        "每人最多同时预约 {max} 场。",
        "You can hold at most {max} {max@booking} at a time.",
    ),
    "err_booking_missing": ("没有找到该预约。", "No such booking."),
    "err_rule": (
        "循环规则应写作 weekly:3（每周三，1-7 表示周一至周日）或 monthly:15（每月 15 日）。",
        "The rule must look like weekly:3 (every Wednesday; 1-7 are Monday to Sunday) or monthly:15 (the 15th of each month).",
    ),
    "err_time": ("时间格式不正确：{text}（应为 09:00-11:30）", "Not a time: {text} (use 09:00-11:30)"),
    "err_date": (
        "日期格式不正确：{text}（应写作 2026-12-09，年份在 2000 至 2099 之间）",
        "Not a date: {text} (write it like 2026-12-09, a year from 2000 to 2099)",
    ),
    # --- holidays and duty ---
    "holiday_set": ("{day} 已设为{kind}。", "{day} is now a {kind}."),
    "holiday_talks_cancelled": (
        "该日的 {count} 场循环恳谈已取消，已通知 {told} 位预约者，并向他们推荐了同一系列的下一场。",
        "{count} recurring {count@talk} that day {count@is|are} cancelled; {told} {told@person|people} booked {told@was|were} told and offered the series' next slot.",
    ),
    "holiday_one_offs": ("该日还有单独安排的场次：{slots}。如需取消，请用 /slot_cancel。",
                         "Single slots remain that day: {slots}. Use /slot_cancel to cancel them."),
    "holiday_talks_generated": (
        "已按日历生成或恢复 {count} 场循环恳谈。",
        "{count} recurring {count@talk} generated or restored to follow the calendar.",
    ),
    "slot_holiday_notice": ("因{day}为{name}，您预约的恳谈取消：{line}\n同一系列的下一场：{next}",
                            "Your talk is cancelled because {day} is a {name}: {line}\nThe series' next slot: {next}"),
    "btn_rebook": ("改约到下一场", "Book the next one"),
    "slot_holiday_ask": ("{day}是节假日。仍要在这一天安排恳谈吗？", "{day} is a public holiday. Hold the talk on that day all the same?"),
    "btn_slot_anyway": ("仍然安排", "Hold it anyway"),
    "holiday_removed": ("{day} 已从节假日日历中删除。", "{day} removed from the holiday calendar."),
    "holidays_title": ("节假日与调休：", "Holidays and extra working days:"),
    "kind_holiday": ("节假日", "public holiday"),
    "kind_workday": ("调休上班日", "extra working day"),
    "rotation_set": ("值班轮换已设定：按{turn}，{leaders}，自 {first} 起；此前的日期仍按原安排。{weeks}", "Duty rotation set: by {turn}, {leaders}, from {first}; the days before keep the rotation in force then.{weeks}"),
    "rotation_monday": ("按周轮换每周一换班，以 {monday} 所在的一周为第一周。", " Turns change on Mondays: the week of {monday} is the first."),
    "turn_week": ("周", "week"),
    "turn_day": ("工作日", "working day"),
    "duty_overridden": ("{day} 值班改为 {name}。", "{day}: {name} is on duty instead."),
    "duty_swapped": ("{first} 与 {second} 的值班已互换。", "Duties on {first} and {second} swapped."),
    "duty_uncovered": ("未安排（原值班领导已不再担任局领导）",
                       "uncovered (the leader assigned is no longer a leader)"),
    "duty_coming": ("未来两周值班：", "Duty in the next two weeks:"),
    "duty_today": ("今日（{day}）值班领导：{name}", "Leader on duty today ({day}): {name}"),
    "duty_receptions": (
        "近期领导接访日：",
        "Next reception days:",
    ),
    "duty_mine": ("您近四周的值班日：{days}", "Your duty days in the next four weeks: {days}"),
    "nobody": ("无", "nobody"),
    "duty_evening": ("提醒：明天{day}起由您值班接访。", "Reminder: your duty begins tomorrow ({day})."),
    "duty_morning": ("今天{day}起由您值班接访，接替 {before}。", "Your duty begins today ({day}); you take over from {before}."),
    "duty_morning_first": ("今天{day}起由您值班接访。", "Your duty begins today ({day})."),
    "duty_handover_off": ("交班提醒：{day} 起由 {name} 值班接访。", "Handover: from {day}, {name} is on duty."),
    "err_need_reason": ("请写明理由。", "Please give a reason."),
    "err_no_duty": ("该日没有值班安排。", "Nobody is on duty that day."),
    "cmd_talks": ("恳谈安排与预约", "Talks and booking"),
    "cmd_mybookings": ("我的预约", "My bookings"),
    "cmd_duty": ("今日值班领导", "Leader on duty"),
    "cmd_slot": ("新建恳谈场次", "New talk slot"),
    "cmd_series": ("新建循环恳谈", "New recurring talks"),
    "cmd_slot_cancel": ("取消场次", "Cancel a slot"),
    "cmd_slot_move": ("改期场次", "Move a slot"),
    "cmd_attendance": ("到场登记", "Mark attendance"),
    "cmd_outcome": ("记录恳谈结果", "Record a talk's outcome"),
    "cmd_holiday": ("设置节假日", "Set a public holiday"),
    "cmd_workday": ("设置调休上班日", "Set an extra working day"),
    "cmd_holidays": ("节假日日历", "Holiday calendar"),
    "cmd_rotation": ("值班轮换", "Duty rotation"),
    "cmd_duty_set": ("指定某日值班", "Set one day's duty"),
    "cmd_duty_swap": ("互换值班", "Swap two duties"),
    "help_title": (
        "您可以使用的命令：",
        "What you can do here:",
    ),
    "help_group_cases": (
        "【事项】",
        "[Cases]",
    ),
    "help_group_talks": (
        "【恳谈与值班】",
        "[Talks and duty]",
    ),
    "help_group_desk": (
        "【办理】",
        "[Case desk]",
    ),
    "help_group_organise": (
        "【安排恳谈】",
        "[Arranging talks]",
    ),
    "help_group_people": (
        "【人员与角色】",
        "[People and roles]",
    ),
    "help_group_calendar": (
        "【日历与值班安排】",
        "[Calendar and duty roster]",
    ),
    "help_group_general": (
        "【其他】",
        "[Other]",
    ),
    "help_tail_citizen": (
        "直接发送消息，会补充到您正在办理的事项中。",
        "A plain message is added to your open case.",
    ),
    "help_tail_staff": (
        "在事项卡片上按「认领」受理；认领人在话题中或回复卡片的消息会转给群众。",
        "Press Claim on a card to accept a case; the owner's messages in its topic (or in reply to its card) go to the citizen.",
    ),
    "due_accept": (
        "受理期限",
        "Deadline to accept",
    ),
    "due_handle": (
        "办结期限",
        "Deadline to handle",
    ),
    "attendance_empty": (
        "场次 S{id} 还没有人预约，无需登记出席。",
        "Nobody booked slot S{id}, so there is no attendance to mark.",
    ),
    "err_wrong_ref": (
        "{text} 是预约编号，这里需要场次编号（如 S7）。",
        "{text} is a booking; a slot is needed here (like S7).",
    ),
    "err_not_a_slot": (
        "{text} 不是场次编号，请写作 S7 或 7。",
        "{text} is not a slot number; write it like S7 or 7.",
    ),
    "err_not_a_booking": (
        "{text} 不是预约编号，请写作 B12 或 12。",
        "{text} is not a booking number; write it like B12 or 12.",
    ),
    "usage_slot": (
        "/slot talk_day 2026-12-09 09:00-11:30 10 3001 三楼会议室 | 话题（类型 日期 时段 名额 主持领导编号 地点 | 话题）",
        "/slot talk_day 2026-12-09 09:00-11:30 10 3001 Room 301 | topic (kind day hours seats host_id place | topic)",
    ),
    "usage_series": (
        "/series talk_day weekly:3 09:00-11:30 10 3001 三楼会议室 | 话题（weekly:3 为每周三，monthly:15 为每月 15 日）",
        "/series talk_day weekly:3 09:00-11:30 10 3001 Room 301 | topic (weekly:3 is every Wednesday, monthly:15 the 15th)",
    ),
    "usage_slot_cancel": (
        "/slot_cancel S12 理由",
        "/slot_cancel S12 reason",
    ),
    "usage_slot_move": (
        "/slot_move S12 2026-12-10 14:00-16:00",
        "/slot_move S12 2026-12-10 14:00-16:00",
    ),
    "usage_attendance": (
        "/attendance S12",
        "/attendance S12",
    ),
    "usage_outcome": (
        "/outcome B34 [case] 结果（写 case 则立为事项）",
        "/outcome B34 [case] outcome (with case it opens a case)",
    ),
    "usage_holiday": (
        "/holiday 2027-01-01 元旦 · /holiday remove 2027-01-01",
        "/holiday 2027-01-01 New Year · /holiday remove 2027-01-01",
    ),
    "usage_workday": (
        "/workday 2027-02-07 春节调休",
        "/workday 2027-02-07 make-up working day",
    ),
    "usage_rotation": (
        "/rotation week|day 3001,3002 2026-12-07 理由（按周或按工作日轮换，领导编号用逗号分隔）",
        "/rotation week|day 3001,3002 2026-12-07 reason (by week or by working day; leaders' ids separated by commas)",
    ),
    "usage_duty_set": (
        "/duty_set 2026-12-09 3002 理由",
        "/duty_set 2026-12-09 3002 reason",
    ),
    "usage_duty_swap": (
        "/duty_swap 2026-12-09 2026-12-10 理由",
        "/duty_swap 2026-12-09 2026-12-10 reason",
    ),
    "usage_invite": (
        "/invite staff|leader|liaison|admin（工作人员、局领导、单位联络人、管理员）",
        "/invite staff|leader|liaison|admin",
    ),
    "usage_revoke": (
        "/revoke 123456789（用户编号，见 /users）",
        "/revoke 123456789 (the user's id, from /users)",
    ),
    "usage_link": (
        "/link QZ-2026-000001 ABCD2345（事项编号 关联码）",
        "/link QZ-2026-000001 ABCD2345 (case number, link code)",
    ),
    "usage_case": (
        "/case QZ-2026-000001",
        "/case QZ-2026-000001",
    ),
    "usage_extend": (
        "/extend QZ-2026-000001 理由",
        "/extend QZ-2026-000001 reason",
    ),
    "err_wrong_ref_booking": (
        "{text} 是场次编号，这里需要预约编号（如 B12）。",
        "{text} is a slot; a booking is needed here (like B12).",
    ),
    "update_refused": (
        "⚠️ 更新 {id} 无法处理，已搁置并确认，其他消息照常处理：{error}\n同类问题今天不再提醒。/failed 查看全部。",
        "⚠️ Update {id} could not be taken and was set aside (and confirmed); everything else goes on: {error}\nThe same failure is not reported again today. /failed lists them all.",
    ),
    "staff_chat_lost": (
        "⚠️ 机器人已无法在工作人员群（{chat}）发送消息：{why}。事项卡片和群众消息改为私聊发给每位工作人员；机器人回到群里后会自动恢复。",
        "⚠️ The bot can no longer post in the staff group ({chat}): {why}. Case cards and citizens' messages now go to each staff member privately; they go back to the group once the bot is there again.",
    ),
    "staff_chat_back": (
        "工作人员群（{chat}）已恢复，事项卡片重新发到群里。",
        "The staff group ({chat}) is back; case cards go there again.",
    ),
    "staff_chat_moved": (
        "工作人员群已升级为超级群组，编号由 {old} 变为 {new}。机器人已改用新编号；请把 .env 中的 STAFF_CHAT_ID 改为 {new}。",
        "The staff group became a supergroup: its id changed from {old} to {new}. The bot uses the new id already; please set STAFF_CHAT_ID={new} in .env.",
    ),
    "why_removed": (
        "机器人被移出群或被禁止发言",
        "the bot was removed or may not post",
    ),
    "why_blocked": (
        "群众已屏蔽机器人",
        "the citizen has blocked the bot",
    ),
    "why_failed": (
        "多次重试后仍未送达",
        "it could not be delivered after repeated tries",
    ),
    "reply_undelivered": (
        "您对 {number} 的答复未能送达群众：{why}。已记入事项记录，请改用电话等方式联系。",
        "Your reply on {number} did not reach the citizen: {why}. It is recorded in the case's history; please reach them another way, such as by phone.",
    ),
    "reply_sent_blocked": (
        "群众此前屏蔽了机器人，答复已尝试发送给 {number} 的群众；如未能送达会告知您。电话：{phone}",
        "The citizen of {number} had blocked the bot; the reply is being tried, and you will hear if it does not arrive. Phone: {phone}",
    ),
    "event_undelivered": (
        "未能送达",
        "not delivered",
    ),
    "kick_failed": (
        "⚠️ 无法把用户 {id} 移出工作人员群（机器人没有“封禁用户”权限）。请手动把此人移出群。",
        "⚠️ Could not remove user {id} from the staff group (the bot lacks the right to ban users). Please remove them by hand.",
    ),
    "flood_slow_down": (
        "您的消息发得很快（一分钟超过 {max} 条）。消息都已记入事项，工作人员会按分钟汇总查看，请稍慢一些。",
        "You are sending messages very fast (more than {max} a minute). Every one is kept with your case and staff read them as a summary each minute; please slow down a little.",
    ),
    "flood_summary": (
        "💬 {number} · {name} 一分钟内又发来 {count} 条消息（已全部记入事项，另有附件 {held} 个，可用 /case {number} 查看）：\n{text}",
        "💬 {number} · {name} sent {count} more {count@message} within a minute (all kept with the case, with {held} {held@attachment}; /case {number} shows them):\n{text}",
    ),
}


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a text of the catalogue (a state, a kind, a role), put in
    the same language as the text it goes into."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Moment:
    """A moment, written in the language of the text it goes into and in the office's zone:
    2026年12月5日（周六）14:30 · Sat 5 Dec 2026, 14:30."""

    at: datetime | None
    tz: ZoneInfo


@dataclass(frozen=True)
class Day:
    """A day, written as the office writes it: 2026年12月5日（周六） · Sat 5 Dec 2026."""

    day: date


@dataclass(frozen=True)
class Lines:
    """Text parameters written one under the other (a card's deadlines, a report's section)."""

    items: tuple[object, ...]
    separator: str = "\n"


# English plurals in a template: `{count@seat}` is "seat" or "seats" by the parameter `count`,
# `{told@person was|people were}` names both forms.
_PLURAL = re.compile(r"\{(\w+)@([^|}]*)(?:\|([^}]*))?\}")


CATALOG.update(OVERSIGHT)
CATALOG.update(LEDGER)


def _value(lang: str | None, value: object) -> object:
    if isinstance(value, Term):
        return t(lang, value.key, **dict(value.params))
    if isinstance(value, Moment):
        return when(lang or "zh", value.at, value.tz)
    if isinstance(value, Day):
        return when_day(lang or "zh", value.day)
    if isinstance(value, Lines):
        return value.separator.join(str(_value(lang, item)) for item in value.items)
    return value


def words(lang: str | None, value: object) -> str:
    """A text parameter on its own, in `lang`: a Term (a text of the catalogue), a moment, a
    day, or words composed already."""
    return str(_value(lang, value))


def t(lang: str | None, key: str, **params: object) -> str:
    pair = CATALOG.get(key)
    if pair is None:  # a bug: the person gets the polite general answer, never the key
        log.error("missing text %s", key)
        pair = CATALOG["err_generic"]
    template = pair[1] if lang == "en" else pair[0]
    values = {k: _value(lang, v) for k, v in params.items()}
    if "@" in template:
        def plural(match: re.Match[str]) -> str:
            one, many = match.group(2), match.group(3) or match.group(2) + "s"
            return one if values.get(match.group(1)) == 1 else many

        template = _PLURAL.sub(plural, template)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        log.error("text %s lacks a parameter", key)
        return template
