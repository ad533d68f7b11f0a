import type { L10n } from "@/lib/lessons/types";
import { textLookup, UI } from "@/lib/lessons/ui-text";

/**
 * Every word the join-a-class page (JoinClass.tsx) writes, in both
 * languages. Codes, names and what the server sends (its refusals, the
 * drill's title, the teacher's messages) are shown as they came: in Chinese
 * only the framing around a refusal is here.
 */
export const JOIN_TEXT = {
  looking: { en: "Looking for your class…", "zh-CN": "正在查找你的课堂……" },

  // Joining
  joinTitle: { en: "Join a class", "zh-CN": "加入课堂" },
  roomCode: { en: "Room code", "zh-CN": "课堂代码" },
  yourName: { en: "Your name (what your teacher sees)", "zh-CN": "你的名字（老师看到的就是它）" },
  join: { en: "Join", "zh-CN": "加入" },
  joinFailed: { en: "{error}", "zh-CN": "加入失败：{error}" },
  resumeTitle: { en: "Already joined on another computer?", "zh-CN": "已经在另一台电脑上加入过？" },
  resumeCode: { en: "Resume code", "zh-CN": "恢复码" },
  continueHere: { en: "Continue here", "zh-CN": "在这台电脑上继续" },
  resumeFailed: { en: "{error}", "zh-CN": "无法继续：{error}" },

  // In the class
  youreIn: { en: "You're in, {name}", "zh-CN": "加入成功，{name}" },
  welcomeBack: { en: "Welcome back, {name}", "zh-CN": "欢迎回来，{name}" },
  /** {room} is the class's name, in bold. */
  classLine: {
    en: "Class {room} (code {code}). Your teacher sees your progress as you pass each lesson's checks.",
    "zh-CN": "课堂 {room}（代码 {code}）。你每通过一课的检查，老师都能看到你的进度。",
  },
  keepResumeCode: { en: "Your resume code: keep it to continue on another computer.", "zh-CN": "你的恢复码：请记下来，换一台电脑时用它继续。" },
  start: { en: "Start: open the playground →", "zh-CN": `开始：打开${UI.playground["zh-CN"]} →` },
  drill: { en: "⚡ Fault drill: {title}", "zh-CN": "⚡ 故障演练：{title}" },
  drillLeft: { en: "{time} left", "zh-CN": "还剩 {time}" },
  drillHint: { en: "Your calls and messages meet this fault now; watch your diagram.", "zh-CN": "你的调用和消息现在都会遇到这个故障，留意你的时序图。" },
  fromTeacher: { en: "From your teacher", "zh-CN": "老师的消息" },

  // The class banner on every page
  yourClass: { en: "Your class", "zh-CN": "你的课堂" },
  drillFromTeacher: { en: "⚡ Fault drill from your teacher: {title} — {time} left", "zh-CN": "⚡ 老师发起的故障演练：{title}——还剩 {time}" },
  sandboxReset: { en: "Your teacher reset your sandbox.", "zh-CN": "老师重置了你的沙箱。" },
  dismissMessage: { en: "Dismiss the message", "zh-CN": "关闭这条消息" },
  leaveConfirm: {
    en: "Leave the class on this computer? You can come back with your resume code.",
    "zh-CN": "要在这台电脑上退出课堂吗？之后可以用恢复码回来。",
  },
  leave: { en: "Leave on this computer", "zh-CN": "在这台电脑上退出" },
  leaveFailed: { en: "{error}", "zh-CN": "退出失败：{error}" },

  // Reporting a check by hand
  tryIt: { en: "Try it: report a lesson check by hand", "zh-CN": "试一试：手动上报一次课程检查" },
  lesson: { en: "Lesson", "zh-CN": "课程" },
  step: { en: "Step", "zh-CN": "步骤" },
  passed: { en: "passed", "zh-CN": "已通过" },
  report: { en: "Report", "zh-CN": "上报" },
  saved: { en: "Saved: your teacher sees it.", "zh-CN": "已保存：老师能看到了。" },
  queued: { en: "queued: {reason}", "zh-CN": "已暂存，稍后重发：{reason}" },
  notInClass: { en: "not-in-class: {reason}", "zh-CN": "不在课堂中：{reason}" },
  refused: { en: "refused: {reason}", "zh-CN": "被拒绝：{reason}" },
} as const satisfies Record<string, L10n>;

export type JoinTextKey = keyof typeof JOIN_TEXT;

/** A join-page text in `locale`, with `{name}` placeholders filled from `vars`. */
export const joinText = textLookup(JOIN_TEXT);
