/**
 * A small trilingual intent set (English, Vietnamese, Traditional Chinese) for fast NLP tests: big enough to
 * learn, small enough to train in well under a second.
 */
import type { LabelledUtterance } from "../../nlp/types";

const data: Record<string, Record<string, string[]>> = {
  "qa.lambda-memory": {
    en: [
      "how much memory can a lambda function have",
      "what is the maximum memory for lambda",
      "lambda memory limit",
      "can I give my function more ram",
      "max ram of a lambda",
      "how do I set the memory size of my function",
      "increase lambda memory",
      "memory settings for aws lambda",
    ],
    vi: [
      "lambda có tối đa bao nhiêu bộ nhớ",
      "bộ nhớ tối đa của lambda là bao nhiêu",
      "giới hạn bộ nhớ lambda",
      "tăng bộ nhớ cho hàm lambda",
      "cấu hình ram cho lambda thế nào",
      "hàm của tôi cần thêm bộ nhớ",
      "đặt dung lượng bộ nhớ cho lambda",
      "lambda được bao nhiêu ram",
    ],
    "zh-TW": [
      "lambda 最多可以有多少記憶體",
      "lambda 記憶體上限是多少",
      "怎麼增加函式的記憶體",
      "記憶體要設定多少",
      "lambda 的記憶體限制",
      "可以給函式更多記憶體嗎",
      "調整 lambda 記憶體大小",
      "記憶體最大值",
    ],
  },
  "qa.lambda-timeout": {
    en: [
      "what is the maximum timeout of a lambda",
      "how long can a lambda function run",
      "lambda timeout limit",
      "my function times out after three seconds",
      "increase the execution time of my function",
      "max run time for lambda",
      "how do I change the timeout",
      "lambda stops after 15 minutes",
    ],
    vi: [
      "lambda chạy tối đa được bao lâu",
      "thời gian chạy tối đa của lambda",
      "giới hạn thời gian chạy lambda",
      "hàm bị timeout sau ba giây",
      "tăng thời gian chạy cho hàm",
      "đổi timeout của lambda thế nào",
      "lambda dừng sau 15 phút",
      "thời gian chờ tối đa là bao nhiêu",
    ],
    "zh-TW": [
      "lambda 最長可以執行多久",
      "lambda 逾時上限是多少",
      "函式三秒後就逾時了",
      "怎麼延長執行時間",
      "執行時間限制",
      "怎麼修改逾時設定",
      "lambda 十五分鐘後停止",
      "最長執行時間",
    ],
  },
  "qa.pricing": {
    en: [
      "how much does lambda cost",
      "what is the price of lambda",
      "lambda pricing",
      "is lambda free",
      "how am I billed for lambda",
      "what does a million requests cost",
      "is there a free tier",
      "how expensive is serverless",
    ],
    vi: [
      "lambda giá bao nhiêu",
      "chi phí của lambda là bao nhiêu",
      "bảng giá lambda",
      "lambda có miễn phí không",
      "tính tiền lambda như thế nào",
      "một triệu request tốn bao nhiêu tiền",
      "có gói miễn phí không",
      "serverless có đắt không",
    ],
    "zh-TW": [
      "lambda 要多少錢",
      "lambda 的價格",
      "lambda 怎麼收費",
      "lambda 是免費的嗎",
      "一百萬次請求要多少錢",
      "有免費方案嗎",
      "無伺服器貴不貴",
      "費用怎麼計算",
    ],
  },
  "chitchat.greet": {
    en: [
      "hello",
      "hi there",
      "hey",
      "good morning",
      "hi bot",
      "hello, anyone there?",
      "good evening",
      "hey there friend",
    ],
    vi: [
      "xin chào",
      "chào bạn",
      "chào buổi sáng",
      "chào bot",
      "alo có ai không",
      "chào nhé",
      "xin chào bạn",
      "chào buổi tối",
    ],
    "zh-TW": ["你好", "哈囉", "早安", "嗨", "你好啊機器人", "有人在嗎", "晚安你好", "嗨你好"],
  },
  "chitchat.thanks": {
    en: [
      "thanks",
      "thank you",
      "thanks a lot",
      "many thanks",
      "thank you so much",
      "cheers, that helped",
      "thx",
      "great, thanks",
    ],
    vi: [
      "cảm ơn",
      "cảm ơn bạn",
      "cảm ơn nhiều",
      "cám ơn nhé",
      "rất cảm ơn bạn",
      "cảm ơn đã giúp",
      "cảm ơn bot",
      "ok cảm ơn",
    ],
    "zh-TW": ["謝謝", "謝謝你", "非常感謝", "感謝幫忙", "多謝", "太感謝了", "謝啦", "好的謝謝"],
  },
};

/** Every example of the fixture as labelled utterances with their language. */
export const fixtureUtterances: LabelledUtterance[] = Object.entries(data).flatMap(([intent, byLanguage]) =>
  Object.entries(byLanguage).flatMap(([language, texts]) =>
    texts.map((text) => ({ text, intent, language })),
  ),
);

/** The fixture's intent ids. */
export const fixtureIntents = Object.keys(data).sort();
