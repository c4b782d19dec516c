"""The fixed probe set of the e5 conversion: passages calibrate the int8 graph; passages and queries check it.

Written for this project (no third-party text): defence-news style passages in Japanese and English, the
kind of questions users ask, and texts that exercise the tokenizer (full- and half-width forms, symbols,
emoji, runs of spaces, an empty text) and the long-text windows (one passage well past 512 tokens).
"""

from __future__ import annotations

PASSAGES: tuple[str, ...] = (
    "防衛大臣、来日中の国防相と会談 共同訓練の拡大で一致\n"
    "防衛省は3月14日、防衛大臣が来日中の国防相と省内で会談したと発表した。両氏は地域の安全保障環境について"
    "意見を交わし、共同訓練の回数を増やすことや、装備品の共同開発に向けた協議を続けることで一致した。",
    "護衛艦の進水式、長崎で 新型のもがみ型\n"
    "海上自衛隊の新しい護衛艦の命名・進水式が10月2日、長崎市の造船所で行われた。艦は全長133メートル、"
    "基準排水量3,900トンで、機雷戦の能力を持つ。2026年度中に就役する予定という。",
    "統合幕僚長、太平洋地域の参謀総長会議に出席\n"
    "統合幕僚長は11月下旬、ハワイで開かれた太平洋地域の参謀総長会議に出席し、各国の軍トップと情報共有や"
    "災害対処での協力について議論した。会議には20か国以上が参加した。",
    "航空自衛隊、緊急発進の回数を公表 上半期は前年比で減少\n"
    "統合幕僚監部によると、4月から9月までの上半期に航空自衛隊の戦闘機が緊急発進（スクランブル）した回数は"
    "合計で300回あまりで、前年同期を下回った。対象の多くは中国機だった。",
    "陸上自衛隊と米海兵隊、九州で離島防衛の共同訓練\n"
    "陸上自衛隊の水陸機動団と米海兵隊は2月、九州と南西諸島で離島の奪回を想定した共同訓練を実施した。"
    "輸送機オスプレイや水陸両用車を使い、上陸から拠点の確保までの手順を確認した。",
    "防衛装備庁、次期戦闘機の開発で英伊と契約\n"
    "防衛装備庁は、英国・イタリアと共同で進める次期戦闘機について、国際機関を通じた開発契約を結んだと"
    "明らかにした。2035年の配備開始を目指し、エンジンとレーダーの試作を急ぐ。",
    "令和7年度の防衛予算案、過去最大の8兆円台に\n"
    "政府は12月、令和7年度予算案を閣議決定し、防衛関係費は8兆7,000億円と過去最大になった。スタンド・オフ"
    "防衛能力や無人アセット、弾薬の確保に重点的に配分した。",
    "自衛隊、能登半島の地震で災害派遣 給水と入浴支援\n"
    "石川県の能登半島で起きた地震を受け、自衛隊は知事の要請で災害派遣を行った。最大で約1万人が活動し、"
    "孤立した集落への物資輸送、給水、入浴支援を続けた。",
    "防衛副大臣、フィリピンを訪問 沿岸監視レーダーの供与式に出席\n"
    "防衛副大臣は8月、マニラを訪れ、政府安全保障能力強化支援（OSA）による沿岸監視レーダーの供与式に出席した。"
    "フィリピン国防省の幹部とも面会し、海洋安全保障での連携を確認した。",
    "ＰＫＯ派遣の施設部隊が帰国 ｶﾀｶﾅ表記と①②の記号、㈱も含む\n"
    "南スーダンでの国連平和維持活動（ＰＫＯ）に派遣されていた施設部隊の隊員が、任務を終えて帰国した。"
    "道路補修や給水所の整備に当たった。（記事ID：ＡＢＣ－１２３）",
    "The Defense Minister met the visiting Australian Chief of Army on November 12 and agreed to expand "
    "joint exercises after the Reciprocal Access Agreement entered into force.",
    "Japan's Maritime Self-Defense Force launched a new Mogami-class frigate at a shipyard in Nagasaki; "
    "the ship is 133 m long and is scheduled to be commissioned in fiscal 2026.",
    "The Ground Self-Defense Force and the US Marine Corps held an amphibious exercise in Kyushu  "
    "to practise retaking a remote island\t(tabs,   spaces, emoji 🚢 and symbols ±§).",
    "",
)

QUERIES: tuple[str, ...] = (
    "11月12日に防衛大臣を表敬したのは誰ですか",
    "護衛艦の進水式はどこで行われた？",
    "次期戦闘機の開発相手国は",
    "令和7年度の防衛関係費はいくら",
    "Which foreign army chief paid a courtesy call on the Defense Minister on November 12?",
    "When was the new frigate launched?",
    "How many times did ASDF fighters scramble in the first half of the year?",
    "災害派遣　給水　能登",
)


def long_passage() -> str:
    """One passage past the model's 512 positions (two windows): the first seven passages."""
    return "\n".join(PASSAGES[:7])


def probe_passages() -> list[str]:
    return [*PASSAGES, long_passage()]


def probe_queries() -> list[str]:
    return list(QUERIES)
