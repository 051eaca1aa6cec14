"""The Creator Academy's first five courses, as plain data for seeding: each course with its
modules, lessons (articles, one video with its slides and transcript, insight cards) and the
quizzes that end the modules. Nothing here imports the project; a seeding command turns these
dicts into Course, Module, Lesson, Quiz, Question and Choice rows.

Text is Markdown (no HTML, no links). Slides are (second, caption) pairs: each caption shows
from its second until the next one.
"""

# ---------------------------------------------------------------------------------------------
# 1. Hooks: the first three seconds
# ---------------------------------------------------------------------------------------------

HOOKS_WHAT_A_HOOK_IS = """\
### What a hook is

A hook is everything a viewer sees and hears in the first three seconds of your video: the
first frame, the first words and the first line of on-screen text. It has one job: to earn the
next ten seconds.

### Why it matters here

- **Watch time drives your earnings.** In the Creator Rewards Program, qualified views come
  from original videos at least one minute long, and the rate per 1,000 qualified views rises
  with engagement and watch time. A video people leave after two seconds earns little, however
  often it is shown.
- **Engagement follows attention.** Likes, shares and comments, which also earn loyalty points,
  come from people who stayed long enough to care.
- **The feed is fast.** People scroll with their thumb, not their head. If your first frame
  looks like everything else, they are gone.

### The three parts of a strong opening

1. **A first frame that is already moving.** Start mid-action: the paint already dripping, the
   pan already hot. No logo, no "hi guys, welcome back".
2. **A first line that makes a promise.** "This is the one mistake that ruins sourdough" tells
   viewers what they get for staying.
3. **On-screen text that says the same thing.** Many people watch with the sound off. Put the
   promise on screen in five to eight words, visible from the first second.

### A test you can do today

Open your last five videos and watch only the first three seconds of each, with the sound off.
For each one, ask: would a stranger know what this video is about, and why they should stay?
Write **yes** or **no** next to each. Every "no" is a candidate for the rewrite workflow in the
next module."""

HOOKS_VIDEO_TRANSCRIPT = """\
Here are five hook patterns you can use on your very next video.

One: show the result first. The finished cake, the tidy room, the final score. Then say "here's
how I got there". People stay to see the path to something they have already seen.

Two: name the mistake. "Stop washing your brushes like this." A mistake feels urgent, and
everyone wants to check they are not making it.

Three: ask the question your viewers already ask you. Look at your comments. If five people
asked how you light your videos, open with "How do I light my videos on a tiny budget?"

Four: the countdown. "Three things I wish I'd known before my first marathon." A number tells
people how long the payoff will take, so they settle in.

Five: start mid-action. Cut the first second or two of every clip, so the video begins with
something already happening.

Pick one of the five and use it on your next upload. Then, in the next module, look at your top
videos to see which pattern your audience rewards."""

HOOKS_TOP_VIDEOS = """\
This card lists your videos with the highest **completion rate**: the share of viewers who
watched to the end. A high completion rate is the clearest sign that the hook worked *and* the
video kept its promise.

### How to read it

- **Look at the openings, not the topics.** Play the first three seconds of your top three. What
  do they share? A face close to the camera, the result shown first, a question on screen?
- **Compare with a video that is not on the list.** Put one of your weaker videos next to your
  best and note what its first frame and first line do differently.
- **Mind the length.** A 20-second video finishes more easily than a 90-second one, so compare
  videos of similar length. Remember that only videos of at least a minute earn qualified
  views in the Creator Rewards Program.

### What to do with it

1. Write down the hook pattern behind each of your top three, using the five from the video.
2. Use the most common pattern on your next two uploads.
3. Come back to this card in two weeks and see whether the new videos have joined the list."""

HOOKS_REWRITE = """\
Pick one video that had a good topic but lost people early, and rework its opening. Then use the
same steps on everything you film next.

### Step 1: find the promise

Finish this sentence: "By the end of this video, you will..." If you cannot finish it, the video
needs a clearer point before it needs a better hook.

### Step 2: move the payoff forward

Find the most striking moment in the video (the reveal, the result, the funniest line) and show
one or two seconds of it first. Then cut back to the start.

### Step 3: cut the warm-up

Delete everything before the first useful second: greetings, "so today I'm going to", adjusting
the camera. Most openings lose one to three seconds this way, and lose nothing of value.

### Step 4: say it and show it

Write the promise as on-screen text, five to eight words, visible from the first frame. Say the
same words out loud, so it lands with the sound on or off.

### Before and after

- **Before:** "Hey everyone, welcome back! Today I want to talk about houseplants and..."
  Four seconds pass before anything happens.
- **After:** a close-up of a brown, drooping leaf. On screen: "Your plant isn't thirsty." Spoken:
  "Brown tips usually mean too *much* water. Here's the fix."

### Keep score

Keep a simple note for each upload: the hook pattern you used and, a week later, its completion
rate. After ten videos you will know which patterns your audience rewards, and you will have
stopped guessing."""

# ---------------------------------------------------------------------------------------------
# 2. Posting cadence: a rhythm you can keep
# ---------------------------------------------------------------------------------------------

CADENCE_WHY_STEADY = """\
### Your audience learns your rhythm

When you post on the same days each week, viewers start to expect you. Regular viewers are the
ones who comment, share and, in time, subscribe. A burst of ten videos followed by three silent
weeks teaches them nothing.

### The portal rewards steady work

Loyalty points are worked out for each day, and every earning rule has a **daily cap**; some
rules give only part of the points above a threshold. That is deliberate: it stops rewards
pooling with the biggest accounts. It also means steady days earn as surely as one huge day.
Uploading ten videos on a Sunday will not earn ten times a normal day. See How points work for
the rules in force today.

### Pick a number you could keep in your worst month

Ask yourself: in a month with exams, a poorly child or a work deadline, how many videos could I
still make? That is your number. For most part-time creators it is **two or three a week**.

- **Two a week:** Tuesday and Friday. Good if each video takes a few hours.
- **Three a week:** Monday, Wednesday and Saturday. Good for quick, repeatable formats.
- **Five a week:** only if you batch your filming (see the next module) and have a format
  that repeats.

### Write it down

Put your days in your calendar as repeating events, with a reminder the day before. Name each
slot by its format, not just "post": "Tuesday: tip of the week", "Friday: behind the scenes".
A named slot is far easier to fill than a blank one.

### Going quiet on purpose

If you need a break, say so in a short video: "Back on the 14th." Viewers forgive a planned
pause much more readily than unexplained silence."""

CADENCE_VIDEO_TRANSCRIPT = """\
Here's how to plan a week of posts in four steps.

Step one: choose your days. Two or three a week is plenty for most people. Pick days you can
keep even in a busy month, and put them in your calendar as repeating events.

Step two: give each day a format. Tuesday might be your tip of the week, Friday your behind the
scenes. When a slot has a format, you never start from a blank page.

Step three: keep a list of ten ideas. Every time a comment asks a question, or something makes
you laugh, add it to the list.

Step four: film two videos at once. Same light, same spot, two ideas from the list. Post them on
your days, and you're already a video ahead."""

CADENCE_BEST_TIME = """\
This card shows the weekday and hour when your videos have done best, worked out from your own
activity. It reflects your audience's habits, not a general rule from someone else's account.

### How to read it

- **It is a starting point, not a deadline.** Posting within an hour or two of your best time
  is close enough.
- **Few videos means noisy figures.** With only a handful of uploads, one lucky post can move
  the result. Trust it more as you post more.
- **It describes the viewers you have now.** If you are trying to reach a new audience, such as
  students or night-shift workers, their best time may differ.

### What to do with it

1. Move **one** of your weekly slots to your best weekday and hour.
2. Keep your other slots where they are for four weeks, so you can compare like with like.
3. Look at the card again at the end of the month. If the best time has shifted, move one slot
   with it. Change one thing at a time, so you can tell what made the difference."""

CADENCE_BATCHING = """\
### Why batch

Switching between ideas, filming, editing and posting eats time. Doing each job once for several
videos is faster, and a small stock of finished videos protects your rhythm when life gets busy.

### A three-hour batch session

1. **Plan (30 minutes).** Choose three to five ideas from your list. Write a hook line and a
   one-sentence promise for each.
2. **Film (90 minutes).** Set up once: same light, same spot. Film every video back to back.
   Change your top between videos if you don't want them to look identical.
3. **Edit (60 minutes).** Cut the warm-up from each opening and add on-screen text. If you want a
   video to earn qualified views in the Creator Rewards Program, check it is original and at
   least one minute long.

### Keep a buffer

Aim to be **one week ahead**. When you are a week ahead, a bad week costs you nothing. When you
are at zero, every late night becomes a missed post.

### Not everything batches

Replies to comments, reactions to the news and lives are better fresh. Leave room in your week
for them. Replying to followers also earns loyalty points, so a 15-minute reply session after
each upload is time well spent.

### This week

1. Book one three-hour block in your calendar before Sunday.
2. Film three videos in it.
3. Post them on your chosen days, and notice how much calmer the week feels."""

# ---------------------------------------------------------------------------------------------
# 3. Going live
# ---------------------------------------------------------------------------------------------

LIVE_PLAN = """\
### Why it is worth it

- **Fans meet you in real time.** Answering someone by name builds more loyalty than any edited
  video can.
- **It earns points.** Going live earns loyalty points under the **Minutes live** rule; see How
  points work for today's rate and daily cap.
- **It feeds your other work.** One live gives you questions for future videos and moments to
  turn into clips.

### Choose a format

A live without a reason to watch turns into twenty minutes of "hi, who's here?". Pick one:

- **Q&A:** collect questions in the comments of a video the day before.
- **Work-along:** cook, paint, study or train while people chat.
- **Review:** go through fan submissions or a recent trend in your niche.
- **Behind the scenes:** show your set-up, your week or your next project.

### Plan a running order

For a 30-minute live:

1. **Minutes 0-3:** say hello, say what the live is about and how long you will stay.
2. **Minutes 3-25:** the main part, in three or four chunks of five to seven minutes. Repeat
   the topic at the start of each chunk, because people keep arriving.
3. **Minutes 25-30:** thank people, give the next date and sign off on time.

### Announce it

Post a short video the day before with the time and the topic: "Tomorrow at 8 pm I'm answering
your questions about starting a vegetable patch." Mention it again on the day.

### Check your set-up

Test your connection, charge your phone and put it on a stand at eye level, facing a window or
a lamp. Turn off notifications and keep a glass of water in reach."""

LIVE_VIDEO_TRANSCRIPT = """\
Here's a running order for a 30-minute live. Write it on a card and keep it beside your phone.

The first three minutes: say hello, say what today's live is about, and say how long you'll
stay. "Today I'm answering your questions about starting a vegetable patch, for about half an
hour."

Minutes three to twenty-five are the main part. Break it into three or four chunks of five to
seven minutes each: one question, one step or one topic at a time.

At the start of each chunk, repeat what the live is about. People keep arriving, and a newcomer
who hears "we're talking about starting a vegetable patch" knows straight away whether to stay.

The last five minutes: thank people by name, tell them when the next live is, and sign off on
time. Ending when you said you would is what makes people come back."""

LIVE_HOSTING = """\
### Read the chat out loud

Viewers who arrive mid-stream only hear you, so read a comment before you answer it: "Sam asks
what compost I use. Good question..." Use people's names; it is the quickest way to turn a
viewer into a regular.

### When the chat is quiet

Quiet chats are normal on early lives. Don't apologise for it. Keep talking as you would to a
friend, and give people an easy way in:

- Ask something they can answer with one character: "Type 1 if you've tried this."
- Ask where they are watching from.
- Carry on with the main part; a work-along works with three viewers as well as three hundred.

### Keep the energy up

- Stand, or sit forward in your chair.
- Change something every five to seven minutes: a new question, a new step, a different angle.
- Keep your running order and three spare questions on a card beside the phone.

### Difficult moments

- **Rude comments:** don't read them out and don't argue. Use whatever moderation your live
  tools offer to remove the comment or block the account, and move on.
- **Personal questions:** decide in advance what you won't share, such as where you live or
  your daily routine, and have a friendly line ready: "I keep that private, but here's..."
- **Requests you can't do live:** "Great idea, I'll make a video on that." Then write it down.

### Tips and gifts

If fans send tips or gifts, thank them by name, briefly, and treat every viewer the same
whether they pay or not. People notice, and it keeps the room friendly."""

LIVE_BEST_TIME = """\
This card shows the weekday and hour when your videos have done best. The habits that bring
viewers to your uploads usually bring them to your lives too.

### How to use it for lives

- **Go live near your best time**, or up to an hour after it, while people who saw your latest
  video are still around.
- **Keep the slot fixed.** A regular live, such as "Thursdays at 8", is easier for fans to
  remember than a surprise.
- **Announce it.** Use the upload before your live to tell viewers when it starts.

### If the best time doesn't suit you

A live you cannot keep is worse than a live at your second-best time. If your best hour clashes
with work or family, choose the closest slot you can hold every week and stick with it for a
month before you judge it."""

LIVE_FIRST_DAY_AFTER = """\
This module opens two days after you enrol, so you have time to go live at least once before you
read it. If you haven't yet, pick a slot and do a short one: fifteen minutes is a real start.

### Within 24 hours

1. **Post a thank-you.** A short video or post: what you covered, one favourite moment, and the
   date of the next live.
2. **Cut one or two clips.** Look for a strong answer or a funny moment. Open each clip on its
   best line, as you would any hook. If you want a clip to earn qualified views in the Creator
   Rewards Program, keep it at least one minute long.
3. **Reply to comments** left during and after the live. Replying to followers earns loyalty
   points too, and it shows newcomers that you answer.

### Turn questions into videos

Every good question from the chat is a video idea. Add them to your ideas list straight away,
with the asker's name so you can credit them: "Sam asked me this on Thursday's live." A
30-minute Q&A often gives you five ideas or more.

### Thank the people who made it

If someone helped, such as a friend who watched the chat or a regular who kept the questions
coming, say so by name in your thank-you post. Recognition costs nothing and brings people
back.

### What not to do

- Don't judge the live by its peak number alone; a small, chatty live is a good live.
- Don't post a clip with no context; one line on screen saying where it is from helps."""

LIVE_RHYTHM = """\
### Review honestly

Within two days, answer three questions in writing:

- **When were the most people watching, and what was happening then?** Do more of that.
- **Which question or moment drew the most comments?** That is a topic for your next live.
- **What would I cut next time?** Usually the slow start or a chunk that ran long.

### Set a rhythm

Pick a regular slot, for example **every other Thursday at 8 pm**, and keep it for six weeks.
Regular lives build a habit for you and for your viewers. Spreading lives out also suits the
daily cap on the Minutes live rule better than one marathon: steady activity earns as surely as
one huge day.

### A six-week plan

1. **Week 1:** Q&A with questions collected the day before.
2. **Week 3:** work-along on something your viewers asked about.
3. **Week 5:** review of fan submissions, announced two weeks ahead so people can send them.

Between lives, post your usual videos and mention the next date in one of them.

### A note on length

Longer is not automatically better. A focused thirty minutes with a clear ending leaves people
wanting the next one. Once you have a rhythm, try forty-five minutes if the chat is still busy at
the half-hour mark.

### When to change the slot

If after six weeks your lives are consistently quieter than you hoped, move the slot closer to
your best posting time and give it another six weeks. Change the time or the format, not both at
once, so you can tell which one helped."""

# ---------------------------------------------------------------------------------------------
# 4. Working with brands: brand safety and disclosure
# ---------------------------------------------------------------------------------------------

BRANDS_DISCLOSURE = """\
### Why disclosure matters

Viewers have a right to know when someone paid for what they are watching. Advertising rules in
many countries require it, and good brands insist on it because hidden ads damage them too.
Clear disclosure also protects your audience's trust: people forgive an ad; they don't forgive
being fooled.

### What counts as paid

Disclose whenever you get something of value in return for content:

- a fee for a video or post;
- **gifted products** or services you show or talk about;
- affiliate links or discount codes that pay you a commission;
- a trip, event or experience the brand paid for.

### How to disclose

1. **Turn on the platform's paid partnership label** whenever it is available.
2. **Put `#ad` at the start of the caption**, not at the end among ten other hashtags.
3. **Say it or show it in the first few seconds** of the video: "This is a paid partnership
   with Stride."
4. **Keep it visible.** Not only in a comment, not only at the end, not in tiny text.

### Labels that don't do the job

Vague tags such as `#sp`, `#collab`, `#thanks` or `#partner` leave viewers unsure. Use `#ad`,
"Advert" or "Paid partnership". When in doubt, be plainer.

### A line you can use

"This is a paid partnership with Stride. They sent me these shoes and paid for this video, and
here's what I actually think after three weeks of running in them."

### Honesty inside the ad

Disclosure does not make false claims acceptable. Only say what you believe, and only make
claims the brand can back up. If a product didn't work for you, tell the brand before you post,
not afterwards."""

BRANDS_VIDEO_TRANSCRIPT = """\
When someone paid for what you post, say so: clearly and up front.

First, turn on the platform's paid partnership label whenever it's available.

Second, put hashtag ad at the very start of your caption, not buried among other hashtags at the
end.

Third, say it in the first few seconds of the video, or show it on screen: "This is a paid
partnership with Stride."

Remember that gifts count, and so do affiliate links and discount codes that pay you. If you got
something of value, disclose it.

And finally, disclosure is not a licence to say things you don't believe. Give your honest
opinion, every time. That's what a brand is really paying for: an audience that trusts you."""

BRANDS_SAFETY = """\
### What brand safety means

A brand paying you is putting its name next to yours. Before it invites you, it will look
through your recent videos and ask: would we be comfortable seeing our logo here?

### What usually worries brands

- hate, harassment, or mocking people for who they are;
- graphic violence, or dangerous stunts and challenges viewers could copy;
- heavy swearing in every video (a little is often fine; check each brief);
- misleading health, money or product claims;
- posting other people's work as your own;
- feuds and pile-ons with other creators.

You can make bold, funny, opinionated content and still be brand-safe. The question is whether
a stranger would see you as reliable.

### Genuine engagement is part of brand safety

Bought followers, likes and views, and engagement from bots, are detected and excluded from
points and rewards. They also make your numbers look wrong to anyone who compares followers with
engagement. Real engagement from real people is worth more than a big number that never moves.

### A 20-minute brand-safety check

1. Scroll through your last 30 videos as if you were a brand manager seeing them for the first
   time.
2. Remove anything you no longer stand by or wouldn't want a sponsor to see.
3. Read your profile: does it say clearly what you make, how often, and for whom?
4. List any categories you won't advertise, such as gambling or alcohol, so you can say no
   quickly and politely.
5. Check your past ads: were they all clearly disclosed? If not, add the disclosure now."""

BRANDS_ENGAGEMENT = """\
This card shows your **engagement rate** (likes, comments and shares divided by views) next to
the median for creators with a similar number of followers. Brands care about it because it
shows whether people act on what you post, rather than scrolling past.

### How to read it

- **Above the median:** your audience responds. You can mention it when you answer an
  invitation, as a rough figure rather than a promise.
- **Around the median:** perfectly normal. Your content and your reliability will decide.
- **Below the median:** not a verdict, but a signal. Look at your last ten videos: which drew
  comments, and what did they do differently?

### How to lift it honestly

1. **End with a real question** viewers can answer in a few words.
2. **Reply to comments in the first hour** after posting; conversations draw more comments.
   Replying to followers earns loyalty points too.
3. **Make things worth sharing**: a tip someone will send to a friend.
4. **Never buy engagement.** Bought or bot engagement is detected and excluded, and a sudden jump
   in likes with no matching comments looks wrong to brands as well.

Check the card once a month. A steady rate is worth more to a brand than one spike."""

BRANDS_MARKETPLACE = """\
### Who can join

The Marketplace connects brands with creators who have **more than 10,000 followers**. If you
are not there yet, finish this course anyway: everything in it applies to deals you find
yourself, and you will be ready when you cross the line.

### How a deal runs

1. **A brand writes a campaign brief:** what it wants, who it wants to reach, and the budget.
2. **The brand ranks creators by a match score** for that brief and invites the ones it wants.
3. **You read the brief and decide.** If it fits, you and the brand agree the deal: the
   deliverables, the dates, the usage rights and the fee.
4. **You deliver** the content as agreed.
5. **The brand reviews the delivery** against what you agreed.
6. **The brand pays.**

### What helps you get invited

Brands decide whom to invite. What you control:

- **a clear profile** that says what you make and who watches it;
- **steady posting**, so a brand can see recent work;
- **genuine engagement** (see your engagement card in the previous module);
- **brand-safe videos** and clearly disclosed past ads;
- **the Brand-ready badge** from this course, which tells a brand you have trained in
  disclosure, brand safety and reliable delivery.

### Saying no

Decline briefs that don't fit your audience or your values. One off-brand ad costs more trust
than the fee is worth, and a polite "not this time, thank you" keeps the door open for the next
brief."""

BRANDS_BRIEF = """\
### Read the brief twice

First for the big picture, then with a pen. Note down:

- **Goal:** awareness, visits, sales or sign-ups?
- **Audience:** does it match the people who actually watch you?
- **Key messages:** what must you say, and what must you avoid saying?
- **Must-haves:** when the product appears, disclosure wording, hashtags.
- **Dates:** draft due, brand review, posting date.
- **Fee:** how much, and on what conditions.

### Agree deliverables in writing

Turn the brief into a short list you and the brand both agree before you film, for example:

- one video, 60 to 90 seconds, posted on your account;
- one round of changes on the draft;
- draft by 10 May, posted on 14 May;
- disclosed with the paid partnership label and `#ad`.

The round of changes matters: without a limit, revisions can go on for weeks. Never promise a
number of views; nobody controls them.

### Usage rights

Usage rights say what the brand may do with your video beyond your own post. Agree:

- **Where:** reposting on the brand's own accounts only, or also in paid adverts?
- **How long:** 30 days, three months, a year?
- **Edits:** may the brand cut or change your video?

Paid-advert use and longer periods are worth more, so price them in. If a brief says nothing
about usage rights, ask before you agree."""

BRANDS_DELIVERY = """\
### Plan backwards

From the posting date, work back: posting day, draft due, filming day, product arrival. Add two
spare days. If the product has not arrived a week before filming, tell the brand then, not on
the day.

### Before you send the draft

Check it against your agreed list:

- key messages included, and none of the things to avoid;
- product shown as agreed;
- disclosure in the first seconds, `#ad` at the start of the caption, label ready to switch on;
- length and format as agreed;
- a strong hook: a sponsored video nobody watches helps nobody.

### When things go wrong

Tell the brand early and offer a fix: "Filming moved because of the rain. I can send the draft
on Thursday instead of Tuesday and still post on the 14th." Brands remember creators who flag
problems early far more kindly than those who go quiet.

### Review and payment

The brand reviews your delivery against the brief, then pays. Make review easy: deliver exactly
what you agreed, on time, and make agreed changes promptly. Keep the brief, the agreed
deliverables and your delivery together, so you can point to them if a question comes up.

### After the campaign

Post on the agreed date and leave the post up for as long as you agreed. A short thank-you to
the brand with how the video did makes the next invitation more likely."""

# ---------------------------------------------------------------------------------------------
# 5. Growing subscribers
# ---------------------------------------------------------------------------------------------

SUBS_LADDER = """\
### Start from your regular viewers

Subscribers come from people who already watch you every week, which is why a steady posting
rhythm comes first. If you post on fixed days and see the same names in your comments, you are
ready to offer a package.

### Up to three packages

The portal lets you offer **up to three packages**. Three is plenty: more choices make people
hesitate. A simple ladder suits most creators:

- **Entry:** a low price for people who simply want to support you. Perks: the tenure
  badge, custom emojis in chat and exclusive posts.
- **Core:** the package most people should choose. Adds subscriber-only chat and something
  regular, such as a weekly behind-the-scenes post.
- **Top:** for your biggest fans, usually with a **member cap**. Adds a hand-delivered perk such
  as a monthly shout-out.

### Name packages by what people get

"Supporter", "Insider" and "Front row" tell fans more than "Tier 1, 2, 3". Give each a one-line
description: who it is for and what they get.

### Start with one or two

If you are unsure, launch with one entry package and add the next step when your first
subscribers ask for more, or when you have a perk you can reliably deliver. It is easier to add
a package than to take perks away from people who have paid for them.

### Your to-do

Write down three perks you could deliver every month for a year without strain. Those are the
building blocks of your packages."""

SUBS_PRICING = """\
### Monthly price

Every package has a monthly price. Set the entry package low enough that a regular viewer says
yes without much thought, and space the others so each step up is clearly worth it: for example
3, 8 and 25 in your currency.

### Annual price

You can also give a package an annual price. A common choice is **about ten months' price for
twelve months**, two months free. Annual subscribers commit for longer, and you know more of
your income in advance.

### Free trials

A package can offer a **7-day free trial**. Trials lower the barrier, but they only work if the
first week shows what the package is worth. Before you turn one on, make sure a trial
subscriber would see something new within seven days: a fresh exclusive post, a lively chat.
Each fan gets a free trial with you only once.

### Member caps

A **member cap** limits how many people can hold a package at once. Use caps on perks that take
your time for each person, such as shout-outs or personal replies. A cap of 25 on a package with
a monthly shout-out means at most 25 shout-outs a month: a promise you can keep.

### Raising prices later

You can change a package's price, but **a price rise never touches existing subscribers**: they
keep the price they joined at, and only new subscribers pay the new one. That makes early
loyalty worth something, and you can say so honestly: "Join now and keep this price for as long
as you stay on this package."

### A quick pricing check

1. Would a regular viewer choose your entry package without a second thought?
2. Is each step up clearly worth more than the one below?
3. Can you deliver every perk in your capped package to a full house?"""

SUBS_VIDEO_TRANSCRIPT = """\
Perks are why people stay subscribed, so let's look at the ones that work.

First, badges. Subscribers get a tenure badge that grows as they stay: one month, two, three,
six, nine, twelve, and then every year. Your first ten subscribers are also marked as founders.
Mention it when you launch: a founder place is a real reason to join early.

Second, custom emojis in chat. They take an afternoon to make, and subscribers use them every
day. Base them on in-jokes from your videos.

Third, exclusive posts. Put them on a schedule, like a behind-the-scenes post every Sunday, so
subscribers always know something is coming.

Fourth, subscriber-only chat. It's where your regulars get to know each other. Drop in a few
times a week; you don't have to be there all the time.

Finally, hand-delivered perks, like a monthly shout-out. They're powerful, but each one costs
your time for every subscriber. Promise few and deliver every one. The portal lists each perk
that's due; mark it delivered when it's done, and the fan is told."""

SUBS_PERKS = """\
### Perks that run themselves

These work from day one with little ongoing effort:

- **Tenure badges** show how long someone has subscribed: one, two, three, six, nine and twelve
  months, then each year. They grow with time, so they reward staying.
- **The founder badge** goes to your first ten subscribers. Announce it at launch: "The first
  ten subscribers become founders."
- **Custom emojis** in chat give subscribers a way to show they belong.

### Perks that need a rhythm

- **Exclusive posts:** one a week is enough if it is regular. Good ideas: the long cut of a
  video, your product list, a behind-the-scenes photo, an early look at next week's video.
- **Subscriber-only chat:** pick two or three times a week to drop in and answer questions. A
  quiet, friendly chat is fine; an abandoned one is not.

### Hand-delivered perks

These are things you do by hand for each subscriber, every month or just once: a monthly
shout-out, a sticker pack, a personal thank-you video.

- **Count the cost.** 30 subscribers with one shout-out a month means 30 shout-outs a month.
  Can you keep that up in your busiest month?
- **Use a member cap** on any package with a hand-delivered perk.
- **Track them.** The portal lists the perks due to each subscriber. Set aside time each week,
  deliver them, then mark them delivered so each fan is told.

### Write it down before you promise it

Only list perks you could still deliver in your busiest month. A perk promised and missed costs
you more goodwill than one you never offered."""

SUBS_KEEPING = """\
### The first month matters most

A subscriber who sees nothing new in their first month has little reason to renew. In their
first week:

1. **Welcome them by name** in the subscriber chat.
2. **Point them to what is there:** your best exclusive posts, the emojis, the chat.
3. **Deliver any perk that is due** promptly, and mark it delivered.

### Keep a visible rhythm

Put exclusive posts on fixed days and say so in the package description: "New post every
Sunday." Subscribers pay for a rhythm as much as for the content itself.

### Reward staying

Tenure badges already do part of this. Add small moments of your own: thank people in chat when
they reach six months or a year, and give your founders a nod now and then.

### Listen before you change

Ask subscribers what they would like more of, and change one thing at a time. If you add a
perk, make sure you can deliver it for a year.

### Price rises without losing trust

When you raise a price, existing subscribers keep what they pay today; only new subscribers pay
more. Tell your subscribers anyway: "Prices for new members go up next month. Yours stays the
same." It is a thank-you they didn't have to ask for.

### Mention it in your public videos

Talk about your packages now and then, briefly, after giving something useful: "The full version
is in this Sunday's subscriber post." One line is enough; don't turn every video into a sales
pitch."""


# ---------------------------------------------------------------------------------------------
# The courses
# ---------------------------------------------------------------------------------------------

COURSES: list[dict] = [
    {
        "slug": "hooks-first-three-seconds",
        "title": "Hooks: the first three seconds",
        "summary": (
            "Most viewers decide within three seconds whether to keep watching. Learn five hook "
            "patterns, find the openings that already hold your audience, and rewrite a weak "
            "opening step by step."
        ),
        "level": "beginner",
        "category": "Content craft",
        "estimated_minutes": 25,
        "prerequisites": [],
        "badge": None,
        "addresses": "low_watch_time",
        "modules": [
            {
                "title": "Why the first three seconds matter",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "What a hook is and what it does for you",
                        "body": HOOKS_WHAT_A_HOOK_IS,
                    },
                    {
                        "kind": "video",
                        "title": "Five hook patterns in 45 seconds",
                        "body": (
                            "Five openings you can borrow for your next video, each with an "
                            "example. Watch it once, then pick one to try today."
                        ),
                        "video_seconds": 45,
                        "slides": [
                            (0, "Five hook patterns you can use today"),
                            (6, "1. Show the result first, then how"),
                            (13, "2. Name the mistake: 'Stop doing this'"),
                            (20, "3. Ask the question viewers already ask"),
                            (28, "4. The countdown: 'Three things...'"),
                            (34, "5. Start mid-action"),
                            (40, "Pick one and use it on your next video"),
                        ],
                        "transcript": HOOKS_VIDEO_TRANSCRIPT,
                    },
                ],
                "quiz": {
                    "title": "Hook basics",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "What is the main job of a video's first three seconds?",
                            "multiple": False,
                            "explanation": (
                                "A hook exists to keep the viewer past the first swipe by "
                                "showing what they get for staying. Introductions and logos can "
                                "come later, once people have decided to stay."
                            ),
                            "choices": [
                                (
                                    "To earn the next few seconds of attention by showing what "
                                    "the viewer gets for staying",
                                    True,
                                ),
                                ("To introduce yourself and your account name", False),
                                ("To show your logo so viewers remember you", False),
                            ],
                        },
                        {
                            "text": "Which of these make an opening stronger? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "Starting mid-action, stating the promise in the first line and "
                                "showing it as on-screen text all give viewers a reason to stay, "
                                "with or without sound. A title card delays the moment anything "
                                "happens."
                            ),
                            "choices": [
                                ("Starting mid-action rather than with a greeting", True),
                                (
                                    "On-screen text with the promise, for people watching "
                                    "without sound",
                                    True,
                                ),
                                ("A first line that tells viewers what they will get", True),
                                ("A five-second title card with your logo", False),
                            ],
                        },
                        {
                            "text": "Why does watch time matter for what you earn in the "
                            "Creator Rewards Program?",
                            "multiple": False,
                            "explanation": (
                                "The Creator Rewards Program pays per 1,000 qualified views, and "
                                "its rate rises with engagement and watch time. Views still "
                                "count when people don't reach the end, but holding attention "
                                "raises the rate."
                            ),
                            "choices": [
                                (
                                    "The rate per 1,000 qualified views rises with engagement "
                                    "and watch time",
                                    True,
                                ),
                                ("Only videos watched to the very end count as views", False),
                                ("Watch time replaces the follower requirement", False),
                            ],
                        },
                        {
                            "text": "Which of these can earn qualified views in the Creator "
                            "Rewards Program? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Qualified views come from original videos at least one minute "
                                "long, watched by genuine accounts. Short clips and re-uploads "
                                "of someone else's video don't qualify."
                            ),
                            "choices": [
                                ("An original 75-second tutorial watched by real viewers", True),
                                ("An original two-minute vlog", True),
                                ("An original 40-second clip", False),
                                ("A two-minute re-upload of another creator's video", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "Learn from your own best openings",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "insight",
                        "title": "Your top videos by completion rate",
                        "body": HOOKS_TOP_VIDEOS,
                        "insight": "top_videos",
                    },
                    {
                        "kind": "article",
                        "title": "Rewriting a weak opening, step by step",
                        "body": HOOKS_REWRITE,
                    },
                ],
                "quiz": {
                    "title": "Reading your best openings",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "What does the completion rate on your top-videos card "
                            "tell you?",
                            "multiple": False,
                            "explanation": (
                                "Completion rate is the share of viewers who watched to the end: "
                                "a sign that the hook worked and the video kept its promise."
                            ),
                            "choices": [
                                ("The share of viewers who watched the video to the end", True),
                                ("How many new followers the video brought you", False),
                                ("How many times the video was shared", False),
                            ],
                        },
                        {
                            "text": "You are rewriting a weak opening. Which steps belong in "
                            "the workflow? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Moving the payoff forward, cutting the warm-up and putting the "
                                "promise on screen all shorten the time before a viewer knows "
                                "why to stay. A longer introduction does the opposite."
                            ),
                            "choices": [
                                ("Show a second of the payoff, then cut back to the start", True),
                                ("Cut greetings and warm-up before the first useful second", True),
                                ("Put the promise on screen from the first frame", True),
                                ("Add a longer introduction so viewers know who you are", False),
                            ],
                        },
                        {
                            "text": "Your 20-second clips top the completion list, but your "
                            "90-second tutorials don't. What is the fairest response?",
                            "multiple": False,
                            "explanation": (
                                "Short videos finish more easily, so compare like with like. "
                                "Dropping longer videos would also give up qualified views, "
                                "which need original videos of at least one minute."
                            ),
                            "choices": [
                                (
                                    "Compare videos of similar length and work on the "
                                    "tutorials' openings",
                                    True,
                                ),
                                ("Stop making tutorials and post only 20-second clips", False),
                                ("Ignore completion rate; it tells you nothing", False),
                            ],
                        },
                    ],
                },
            },
        ],
    },
    {
        "slug": "posting-cadence",
        "title": "Posting cadence: a rhythm you can keep",
        "summary": (
            "Posting five times one week and not at all the next confuses viewers and wears you "
            "out. Set a weekly rhythm you can keep, post when your audience is around, and batch "
            "your filming so a busy week doesn't break it."
        ),
        "level": "beginner",
        "category": "Growth",
        "estimated_minutes": 25,
        "prerequisites": [],
        "badge": None,
        "addresses": "irregular_posting",
        "modules": [
            {
                "title": "Choose a rhythm you can keep",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Why a steady rhythm beats bursts",
                        "body": CADENCE_WHY_STEADY,
                    },
                    {
                        "kind": "video",
                        "title": "Plan a week of posts in four steps",
                        "body": (
                            "Forty seconds on turning good intentions into a weekly plan. Have "
                            "your calendar open while you watch."
                        ),
                        "video_seconds": 40,
                        "slides": [
                            (0, "Plan a week of posts in four steps"),
                            (6, "1. Choose your days: two or three a week"),
                            (15, "2. Give each day a format"),
                            (23, "3. Keep a list of ten ideas"),
                            (31, "4. Film two at once, post on your days"),
                        ],
                        "transcript": CADENCE_VIDEO_TRANSCRIPT,
                    },
                ],
                "quiz": {
                    "title": "Choosing your rhythm",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "How should you decide how many videos to post each week?",
                            "multiple": False,
                            "explanation": (
                                "A rhythm only helps if you keep it. The number you could manage "
                                "in your busiest month is one you can hold all year."
                            ),
                            "choices": [
                                ("The number you could keep up in your busiest month", True),
                                ("As many as you can while you feel motivated", False),
                                ("Whatever the biggest creator in your niche does", False),
                            ],
                        },
                        {
                            "text": "You upload ten videos on Sunday and none for the rest of "
                            "the week. What happens to your loyalty points?",
                            "multiple": False,
                            "explanation": (
                                "Every earning rule has a daily cap, and some give only part of "
                                "the points above a threshold. One huge day therefore earns less "
                                "than the same work spread over several days."
                            ),
                            "choices": [
                                (
                                    "Daily caps limit what one day can earn, so the extra "
                                    "uploads may earn little",
                                    True,
                                ),
                                ("You earn exactly ten times a normal day", False),
                                ("The points are spread evenly over the week", False),
                            ],
                        },
                        {
                            "text": "Which habits help you keep a posting rhythm? (choose all "
                            "that apply)",
                            "multiple": True,
                            "explanation": (
                                "Named slots, an ideas list and announced breaks all make the "
                                "rhythm easier to keep. Waiting for inspiration is how bursts "
                                "and silences start."
                            ),
                            "choices": [
                                ("Repeating calendar slots named by format", True),
                                ("A running list of video ideas", True),
                                ("Telling viewers when you are taking a planned break", True),
                                ("Waiting for inspiration before planning anything", False),
                            ],
                        },
                        {
                            "text": "Why do regular posting days help? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Viewers learn when to expect you, and steady days fit the daily "
                                "caps on points. Posting on fixed days doesn't change how "
                                "engagement is checked, and it doesn't replace a good hook."
                            ),
                            "choices": [
                                ("Viewers learn when to expect you", True),
                                (
                                    "Steady days suit the daily caps on points better than bursts",
                                    True,
                                ),
                                ("Fixed days exempt your videos from the engagement checks", False),
                                ("A regular rhythm means hooks no longer matter", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "Timing and batching",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "insight",
                        "title": "Your best weekday and hour",
                        "body": CADENCE_BEST_TIME,
                        "insight": "best_time",
                    },
                    {
                        "kind": "article",
                        "title": "Batching: a week of videos in one afternoon",
                        "body": CADENCE_BATCHING,
                    },
                ],
                "quiz": {
                    "title": "Timing and batching",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Your best-time card says Thursday at 7 pm, but you have "
                            "only six videos. What is the sensible move?",
                            "multiple": False,
                            "explanation": (
                                "With few videos the figure is noisy. Moving one slot and "
                                "checking again as you post more tests it without upending "
                                "your whole rhythm."
                            ),
                            "choices": [
                                ("Move one weekly slot near that time and check again later", True),
                                ("Move every post to Thursday at 7 pm at once", False),
                                ("Ignore the card until you have hundreds of videos", False),
                            ],
                        },
                        {
                            "text": "Which jobs work well in a batch session? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "Planning hooks and filming several videos in one set-up save "
                                "time when done together. Replies and reactions to the news "
                                "are better fresh."
                            ),
                            "choices": [
                                ("Writing hook lines for several ideas", True),
                                ("Filming several videos in the same set-up", True),
                                ("Replying to this morning's comments", False),
                                ("Reacting to today's news", False),
                            ],
                        },
                        {
                            "text": "What buffer of finished videos should you aim for?",
                            "multiple": False,
                            "explanation": (
                                "A week ahead means a bad week costs you nothing, without "
                                "filming so far ahead that videos go stale."
                            ),
                            "choices": [
                                ("About one week's worth", True),
                                ("None: post each video the day you film it", False),
                                ("Three months, filmed before you post anything", False),
                            ],
                        },
                    ],
                },
            },
        ],
    },
    {
        "slug": "going-live",
        "title": "Going live: plan, host and follow up",
        "summary": (
            "Lives build the closest bond you can have with your audience. Plan a 30-minute live "
            "with a clear running order, host it with confidence, then turn it into clips, new "
            "ideas and a regular slot."
        ),
        "level": "intermediate",
        "category": "Going live",
        "estimated_minutes": 35,
        "prerequisites": [],
        "badge": None,
        "addresses": "few_lives",
        "modules": [
            {
                "title": "Plan your live",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Why go live, and how to plan your first thirty minutes",
                        "body": LIVE_PLAN,
                    },
                    {
                        "kind": "video",
                        "title": "A running order for your first live",
                        "body": (
                            "A simple three-part running order for a 30-minute live. Copy it onto "
                            "a card before you go live."
                        ),
                        "video_seconds": 50,
                        "slides": [
                            (0, "A 30-minute live in three parts"),
                            (7, "0-3 min: hello, topic, how long"),
                            (17, "3-25 min: three or four short chunks"),
                            (26, "Repeat the topic: people keep arriving"),
                            (36, "25-30 min: thanks and the next date"),
                            (44, "End on time, and they'll come back"),
                        ],
                        "transcript": LIVE_VIDEO_TRANSCRIPT,
                    },
                ],
                "quiz": {
                    "title": "Planning a live",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Why repeat the topic of your live several times during it?",
                            "multiple": False,
                            "explanation": (
                                "People join a live at different moments. Repeating the topic at "
                                "the start of each chunk tells newcomers what is happening and "
                                "why to stay."
                            ),
                            "choices": [
                                ("Viewers keep arriving and need to know what is happening", True),
                                ("The Minutes live rule only counts minutes with the topic", False),
                                ("It fills time when you run out of things to say", False),
                            ],
                        },
                        {
                            "text": "Which are good formats for an early live? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "A Q&A, a work-along and a review of fan submissions each give "
                                "viewers a reason to watch. A live with no plan tends to become "
                                "twenty minutes of 'who's here?'."
                            ),
                            "choices": [
                                ("A Q&A with questions collected the day before", True),
                                ("A work-along while viewers chat", True),
                                ("A review of fan submissions", True),
                                ("Going live with no plan to see who turns up", False),
                            ],
                        },
                        {
                            "text": "How does going live relate to your loyalty points?",
                            "multiple": False,
                            "explanation": (
                                "Going live earns points under the Minutes live rule. Like every "
                                "rule it has a daily cap, so regular lives earn more reliably "
                                "than one very long one. How points work shows today's rules."
                            ),
                            "choices": [
                                (
                                    "It earns points under the Minutes live rule, up to its daily "
                                    "cap",
                                    True,
                                ),
                                ("Lives earn unlimited points, so longer is always better", False),
                                ("Lives don't earn any points", False),
                            ],
                        },
                        {
                            "text": "What belongs in your pre-live checklist? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "Announcing, testing and removing distractions all help. Bought "
                                "or bot engagement is detected and excluded, and it damages the "
                                "trust a live is meant to build."
                            ),
                            "choices": [
                                ("Announce the time and topic the day before", True),
                                ("Test your connection and charge your phone", True),
                                ("Turn off notifications", True),
                                ("Buy views so the live looks busy", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "Host with confidence",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Hosting: the chat, your energy and difficult moments",
                        "body": LIVE_HOSTING,
                    },
                    {
                        "kind": "insight",
                        "title": "Pick a live slot your viewers can make",
                        "body": LIVE_BEST_TIME,
                        "insight": "best_time",
                    },
                ],
                "quiz": {
                    "title": "Hosting a live",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "A comment in your live is rude and personal. What should "
                            "you do?",
                            "multiple": False,
                            "explanation": (
                                "Reading it out gives it an audience and arguing gives it "
                                "attention. Remove it or block the account with your live tools "
                                "and keep going for everyone else."
                            ),
                            "choices": [
                                (
                                    "Don't read it out; remove it or block the account with "
                                    "your live tools and carry on",
                                    True,
                                ),
                                ("Read it aloud and argue the point", False),
                                ("End the live straight away", False),
                            ],
                        },
                        {
                            "text": "The chat is quiet ten minutes in. Which moves help? "
                            "(choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Easy questions, greeting people by name and carrying on with "
                                "the plan all keep the live going. Apologising for a small "
                                "audience makes the room feel emptier."
                            ),
                            "choices": [
                                ("Ask a question viewers can answer with one character", True),
                                ("Greet the people who are there by name", True),
                                ("Carry on with the main part as planned", True),
                                ("Apologise repeatedly that hardly anyone is watching", False),
                            ],
                        },
                        {
                            "text": "Your best-time card says Saturday at 11 am, but you work on "
                            "Saturdays. What is the best choice?",
                            "multiple": False,
                            "explanation": (
                                "A slot you can keep every week beats a better slot you keep "
                                "missing. Choose the closest time you can hold and give it a "
                                "month."
                            ),
                            "choices": [
                                ("The closest slot you can keep every week", True),
                                ("Saturday at 11 am, going live from work", False),
                                ("Whatever time you happen to be free each week", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "After your live",
                "release_after_days": 2,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "The first 24 hours after a live",
                        "body": LIVE_FIRST_DAY_AFTER,
                    },
                    {
                        "kind": "article",
                        "title": "Review, then build a live rhythm",
                        "body": LIVE_RHYTHM,
                    },
                ],
                "quiz": {
                    "title": "Following up",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Which belong in the 24 hours after a live? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "A thank-you with the next date, a clip or two and replies to "
                                "comments keep the live working for you after it ends. There is "
                                "no need to hide a live for small mistakes."
                            ),
                            "choices": [
                                ("A thank-you post with the next date", True),
                                ("One or two clips that open on the best moment", True),
                                ("Replying to comments", True),
                                ("Deleting the live so nobody sees your mistakes", False),
                            ],
                        },
                        {
                            "text": "You want a clip from your live to earn qualified views in "
                            "the Creator Rewards Program. What must it be?",
                            "multiple": False,
                            "explanation": (
                                "Qualified views come from original videos at least one minute "
                                "long, watched by genuine accounts. When you post the clip does "
                                "not change that."
                            ),
                            "choices": [
                                ("An original video at least one minute long", True),
                                ("A clip under 30 seconds", False),
                                ("Posted within an hour of the live ending", False),
                            ],
                        },
                        {
                            "text": "Why keep lives to a regular slot rather than one very long "
                            "stream now and then?",
                            "multiple": False,
                            "explanation": (
                                "A regular slot builds a habit for you and your viewers, and the "
                                "daily cap on the Minutes live rule means steady lives earn as "
                                "surely as one marathon."
                            ),
                            "choices": [
                                (
                                    "Viewers build a habit, and daily caps favour steady "
                                    "activity over one marathon",
                                    True,
                                ),
                                ("The Minutes live rule only counts lives on one weekday", False),
                                ("Long lives are excluded by the engagement checks", False),
                            ],
                        },
                    ],
                },
            },
        ],
    },
    {
        "slug": "working-with-brands",
        "title": "Working with brands: brand safety and disclosure",
        "summary": (
            "Learn what brands check before they invite you: clear ad disclosure, brand-safe "
            "content and genuine engagement. Then read a brief, agree deliverables and usage "
            "rights, and deliver on time through the Marketplace."
        ),
        "level": "intermediate",
        "category": "Brands and money",
        "estimated_minutes": 45,
        "prerequisites": [],
        "badge": {
            "slug": "brand-ready",
            "name": "Brand-ready",
            "description": (
                "Trained in clear ad disclosure, brand-safe content, reading briefs, agreeing "
                "deliverables and usage rights, and delivering on time."
            ),
        },
        "addresses": "not_brand_ready",
        "modules": [
            {
                "title": "Disclosure: clear and up front",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Disclosing paid partnerships",
                        "body": BRANDS_DISCLOSURE,
                    },
                    {
                        "kind": "video",
                        "title": "Disclosure done right",
                        "body": (
                            "The four habits of clear disclosure in under a minute. Use it as a "
                            "checklist before your next sponsored post."
                        ),
                        "video_seconds": 50,
                        "slides": [
                            (0, "Paid? Say so, clearly and up front"),
                            (7, "Turn on the paid partnership label"),
                            (12, "Put #ad at the start of the caption"),
                            (20, "Say it in the first few seconds"),
                            (28, "Gifts and affiliate links count too"),
                            (38, "Your honest opinion, every time"),
                        ],
                        "transcript": BRANDS_VIDEO_TRANSCRIPT,
                    },
                ],
                "quiz": {
                    "title": "Disclosure",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Where should an ad disclosure go?",
                            "multiple": False,
                            "explanation": (
                                "Disclosure has to be seen before the viewer is persuaded: the "
                                "paid partnership label, #ad at the start of the caption, and a "
                                "spoken or on-screen mention early in the video."
                            ),
                            "choices": [
                                (
                                    "Up front: the paid partnership label, #ad at the start of "
                                    "the caption, and early in the video",
                                    True,
                                ),
                                ("At the end of the caption, after the other hashtags", False),
                                ("In a reply, if someone asks whether it is an ad", False),
                            ],
                        },
                        {
                            "text": "Which of these need disclosing? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "A fee, a commission and a free product are all something of "
                                "value in return for content. A product you bought yourself, "
                                "with no deal and no link, is not an ad."
                            ),
                            "choices": [
                                ("A video a brand paid you to make", True),
                                ("A post with an affiliate link that pays you commission", True),
                                ("Showing a product the brand sent you free", True),
                                ("A video about shoes you bought yourself, with no deal", False),
                            ],
                        },
                        {
                            "text": "Which caption discloses an ad most clearly?",
                            "multiple": False,
                            "explanation": (
                                "#ad at the very start is plain and seen first. '#sp' buried "
                                "at the end, or 'thanks for the collab', leave viewers unsure "
                                "whether it was paid."
                            ),
                            "choices": [
                                ("#ad Testing the new Stride trail shoes on my 10k route", True),
                                ("Loving these! #running #fitness #stride #sp", False),
                                ("Thanks Stride for the collab! #grateful", False),
                            ],
                        },
                        {
                            "text": "A product you were paid to feature didn't work for you. "
                            "What should you do?",
                            "multiple": False,
                            "explanation": (
                                "Disclosure never makes false claims acceptable. Tell the brand "
                                "before you post and agree a way forward, rather than saying "
                                "things you don't believe."
                            ),
                            "choices": [
                                (
                                    "Tell the brand before posting and agree a way forward; "
                                    "never claim what you don't believe",
                                    True,
                                ),
                                ("Praise it anyway, since you were paid", False),
                                ("Post without disclosure so the review looks independent", False),
                            ],
                        },
                        {
                            "text": "How does clear disclosure help you? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "It keeps your audience's trust, meets advertising rules in many "
                                "countries and protects the brand too. It is not a way to hide "
                                "anything."
                            ),
                            "choices": [
                                ("It keeps your audience's trust", True),
                                ("Good brands require it, and it protects them too", True),
                                ("Advertising rules in many countries require it", True),
                                ("It keeps the deal hidden from viewers", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "Brand safety and your numbers",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Brand-safe content: what brands look at",
                        "body": BRANDS_SAFETY,
                    },
                    {
                        "kind": "insight",
                        "title": "Your engagement rate against similar creators",
                        "body": BRANDS_ENGAGEMENT,
                        "insight": "engagement",
                    },
                ],
                "quiz": {
                    "title": "Brand safety and engagement",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Which are likely to worry a brand looking through your "
                            "videos? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Dangerous stunts, misleading claims and mocking people are "
                                "classic brand-safety problems. Strong opinions, politely "
                                "argued, are usually fine."
                            ),
                            "choices": [
                                ("Dangerous stunts viewers could copy", True),
                                ("Misleading health claims", True),
                                ("Mocking people for who they are", True),
                                ("Strong opinions about films, politely argued", False),
                            ],
                        },
                        {
                            "text": "What does the engagement rate on your insight card measure?",
                            "multiple": False,
                            "explanation": (
                                "It is likes, comments and shares divided by views, shown next "
                                "to the median for creators with a similar number of followers."
                            ),
                            "choices": [
                                (
                                    "Likes, comments and shares divided by views, against "
                                    "creators of a similar size",
                                    True,
                                ),
                                ("Followers divided by the number of videos you posted", False),
                                ("Views divided by followers", False),
                            ],
                        },
                        {
                            "text": "Your engagement rate is below the median for your size. "
                            "What is the best first step?",
                            "multiple": False,
                            "explanation": (
                                "Learn from the videos that already drew comments and give "
                                "viewers a real question to answer. Bought likes are detected "
                                "and excluded, and they make your numbers look wrong."
                            ),
                            "choices": [
                                (
                                    "Study which recent videos drew comments, and end videos "
                                    "with a real question",
                                    True,
                                ),
                                ("Buy likes to close the gap before brands look", False),
                                ("Stop posting until the figure recovers", False),
                            ],
                        },
                        {
                            "text": "Why doesn't bought engagement help you? (choose all that "
                            "apply)",
                            "multiple": True,
                            "explanation": (
                                "Bought and bot engagement is detected and excluded from points "
                                "and rewards, and followers that don't match engagement look "
                                "wrong to brands. It earns nothing extra anywhere."
                            ),
                            "choices": [
                                ("It is detected and excluded from points and rewards", True),
                                ("It makes your numbers look mismatched to brands", True),
                                ("It counts double in the Creator Rewards Program", False),
                                ("It is a shortcut to the Brand-ready badge", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "From brief to payment",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "How the Marketplace works",
                        "body": BRANDS_MARKETPLACE,
                    },
                    {
                        "kind": "article",
                        "title": "Reading a brief and agreeing deliverables",
                        "body": BRANDS_BRIEF,
                    },
                    {
                        "kind": "article",
                        "title": "Delivering on time and getting paid",
                        "body": BRANDS_DELIVERY,
                    },
                ],
                "quiz": {
                    "title": "From brief to payment",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Who can join the Marketplace?",
                            "multiple": False,
                            "explanation": (
                                "The Marketplace is open to creators with more than 10,000 "
                                "followers. The Brand-ready badge helps you stand out, but it is "
                                "not a condition of joining."
                            ),
                            "choices": [
                                ("Creators with more than 10,000 followers", True),
                                ("Any creator with at least one upload", False),
                                ("Only creators who hold the Brand-ready badge", False),
                            ],
                        },
                        {
                            "text": "Which steps are part of a Marketplace deal? (choose all "
                            "that apply)",
                            "multiple": True,
                            "explanation": (
                                "Brands write a brief, rank creators by a match score, invite "
                                "them, agree the deal, review the delivery and pay. Creators "
                                "never pay to be invited."
                            ),
                            "choices": [
                                ("The brand writes a campaign brief", True),
                                (
                                    "The brand ranks creators by a match score and invites them",
                                    True,
                                ),
                                ("The brand reviews the delivery, then pays", True),
                                ("The creator pays a fee to be invited", False),
                            ],
                        },
                        {
                            "text": "What do usage rights decide?",
                            "multiple": False,
                            "explanation": (
                                "Usage rights cover where the brand may use your video beyond "
                                "your own post, for how long, and whether it may edit it. Wider "
                                "and longer use is worth a higher fee."
                            ),
                            "choices": [
                                (
                                    "Where, for how long and how the brand may use your video "
                                    "beyond your own post",
                                    True,
                                ),
                                ("Who owns your account during the campaign", False),
                                ("Which hashtags you may use in unrelated videos", False),
                            ],
                        },
                        {
                            "text": "Which belong in the deliverables you agree before filming? "
                            "(choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Agree what you will make, when, and how many rounds of changes. "
                                "Nobody controls views, so never promise a number of them."
                            ),
                            "choices": [
                                ("How many videos, and how long", True),
                                ("Draft and posting dates", True),
                                ("How many rounds of changes", True),
                                ("A guaranteed number of views", False),
                            ],
                        },
                        {
                            "text": "The product hasn't arrived a week before your filming day. "
                            "What do you do?",
                            "multiple": False,
                            "explanation": (
                                "Flag problems early and offer a fix. Brands remember creators "
                                "who warn them in time, and a substitute product breaks the "
                                "brief."
                            ),
                            "choices": [
                                ("Tell the brand now and propose a new plan", True),
                                ("Wait, and tell them on the due date if it is late", False),
                                ("Film with a similar product from another brand", False),
                            ],
                        },
                    ],
                },
            },
        ],
    },
    {
        "slug": "growing-subscribers",
        "title": "Growing subscribers: packages fans keep",
        "summary": (
            "Turn regular viewers into paying subscribers. Design up to three packages, set "
            "monthly and annual prices, use free trials and member caps well, choose perks you "
            "can keep delivering, and keep the subscribers you win."
        ),
        "level": "intermediate",
        "category": "Brands and money",
        "estimated_minutes": 35,
        "prerequisites": ["posting-cadence"],
        "badge": None,
        "addresses": "no_subscribers",
        "modules": [
            {
                "title": "Design your packages",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "article",
                        "title": "Up to three packages: a simple ladder",
                        "body": SUBS_LADDER,
                    },
                    {
                        "kind": "article",
                        "title": "Prices, annual plans, free trials and member caps",
                        "body": SUBS_PRICING,
                    },
                ],
                "quiz": {
                    "title": "Designing packages",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "How many subscription packages can you offer at once?",
                            "multiple": False,
                            "explanation": (
                                "You can offer up to three. Three is plenty: a simple ladder "
                                "from entry to top, and more choices only make fans hesitate."
                            ),
                            "choices": [
                                ("Up to three", True),
                                ("Exactly one", False),
                                ("As many as you like", False),
                            ],
                        },
                        {
                            "text": "When does a member cap make sense? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Caps protect perks that cost your time for each subscriber. "
                                "Badges and emojis cost nothing extra per person, so capping "
                                "them only turns fans away."
                            ),
                            "choices": [
                                ("A package with a monthly personal shout-out", True),
                                ("A package with personal replies you write by hand", True),
                                ("A package whose only perks are emojis and a badge", False),
                                ("Your cheapest package, to keep numbers low", False),
                            ],
                        },
                        {
                            "text": "You raise the price of your Insider package. What happens "
                            "to fans already on it?",
                            "multiple": False,
                            "explanation": (
                                "A price rise never touches existing subscribers: they keep the "
                                "price they joined at. Only new subscribers pay the new price."
                            ),
                            "choices": [
                                ("They keep the price they joined at", True),
                                ("They pay the new price from their next renewal", False),
                                ("Their subscription ends and they must join again", False),
                            ],
                        },
                        {
                            "text": "Before turning on a 7-day free trial, what should you check?",
                            "multiple": False,
                            "explanation": (
                                "A trial only converts if the first week shows the package's "
                                "value. Make sure something new arrives within seven days."
                            ),
                            "choices": [
                                (
                                    "That a trial subscriber will see something worth paying "
                                    "for within seven days",
                                    True,
                                ),
                                ("That you already have 100 subscribers", False),
                                ("That the package has no annual price", False),
                            ],
                        },
                        {
                            "text": "Which are sensible pricing choices? (choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "An easy entry price, clear steps between packages and an "
                                "annual price of about ten months for twelve are all common, "
                                "workable choices. Near-identical prices confuse fans."
                            ),
                            "choices": [
                                ("An entry price a regular viewer says yes to easily", True),
                                ("An annual price of about ten months' worth for twelve", True),
                                ("Clear steps, so each package is worth more than the last", True),
                                ("Three packages priced almost the same", False),
                            ],
                        },
                    ],
                },
            },
            {
                "title": "Perks that work, and subscribers who stay",
                "release_after_days": 0,
                "lessons": [
                    {
                        "kind": "video",
                        "title": "Perks fans actually use",
                        "body": (
                            "A quick tour of the perks you can offer and how to make each one "
                            "count. Note which ones you could deliver for a year."
                        ),
                        "video_seconds": 55,
                        "slides": [
                            (0, "Perks fans actually use"),
                            (5, "Badges: tenure, and founder for the first ten"),
                            (17, "Custom emojis in chat"),
                            (24, "Exclusive posts on a schedule"),
                            (31, "Subscriber-only chat: drop in often"),
                            (39, "Hand-delivered perks: promise few"),
                            (48, "Deliver, then mark it delivered"),
                        ],
                        "transcript": SUBS_VIDEO_TRANSCRIPT,
                    },
                    {
                        "kind": "article",
                        "title": "Choosing perks you can keep delivering",
                        "body": SUBS_PERKS,
                    },
                    {
                        "kind": "article",
                        "title": "Keeping the subscribers you win",
                        "body": SUBS_KEEPING,
                    },
                ],
                "quiz": {
                    "title": "Perks and keeping subscribers",
                    "pass_mark": 70,
                    "questions": [
                        {
                            "text": "Who gets the founder badge?",
                            "multiple": False,
                            "explanation": (
                                "The founder badge marks your first ten subscribers, which makes "
                                "a launch announcement a good moment to mention it."
                            ),
                            "choices": [
                                ("Your first ten subscribers", True),
                                ("Anyone who has subscribed for a year", False),
                                ("Subscribers to your most expensive package", False),
                            ],
                        },
                        {
                            "text": "Which are hand-delivered perks you need to track? (choose "
                            "all that apply)",
                            "multiple": True,
                            "explanation": (
                                "Shout-outs and sticker packs are done by hand, monthly or once, "
                                "so each delivery is tracked. Emojis and tenure badges work by "
                                "themselves."
                            ),
                            "choices": [
                                ("A monthly shout-out", True),
                                ("A sticker pack sent once", True),
                                ("Custom emojis in chat", False),
                                ("Tenure badges", False),
                            ],
                        },
                        {
                            "text": "You have done this month's shout-outs. What next?",
                            "multiple": False,
                            "explanation": (
                                "The portal lists each perk that is due. Marking it delivered "
                                "keeps your list accurate, and each fan is told."
                            ),
                            "choices": [
                                ("Mark them delivered in the portal, so each fan is told", True),
                                ("Nothing: the portal can't record what you delivered", False),
                                (
                                    "Post a list of everyone who got one in your public videos",
                                    False,
                                ),
                            ],
                        },
                        {
                            "text": "Which help keep subscribers beyond their first month? "
                            "(choose all that apply)",
                            "multiple": True,
                            "explanation": (
                                "A warm welcome, a visible rhythm of exclusive posts and "
                                "recognising milestones give people reasons to stay. Promising "
                                "more than you can deliver does the opposite."
                            ),
                            "choices": [
                                ("Welcoming them by name and showing them what is there", True),
                                ("Exclusive posts on fixed, announced days", True),
                                ("Thanking subscribers at tenure milestones", True),
                                ("Promising more perks than you can deliver", False),
                            ],
                        },
                    ],
                },
            },
        ],
    },
]
