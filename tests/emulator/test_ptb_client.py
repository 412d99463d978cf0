"""python-telegram-bot accepts the emulator's shapes and maps its errors to its exceptions."""

from __future__ import annotations

import datetime as dtm

import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from botapi_emulator import Emulator, Limits, SimUser, make_png
from tests.emulator.helpers import FakeClock


@pytest.fixture
async def anna(emu: Emulator) -> SimUser:
    user = emu.add_user("Anna", language_code="en", username="anna", last_name="de Vries")
    await emu.send_text(user, "/start wijk_abc")
    return user


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(x, callback_data=x.lower()) for x in labels]]
    )


async def test_get_me(bot: telegram.Bot, emu: Emulator) -> None:
    me = await bot.get_me()
    assert isinstance(me, telegram.User)
    assert me.is_bot
    assert me.id == emu.bot_id
    assert me.username == "buurtbot_test_bot"
    assert me.can_read_all_group_messages is False


async def test_updates_parse_into_ptb_objects(bot: telegram.Bot, anna: SimUser) -> None:
    (update,) = await bot.get_updates(timeout=1)
    assert isinstance(update, telegram.Update)
    message = update.message
    assert message is not None
    assert message.text == "/start wijk_abc"
    assert isinstance(message.date, dtm.datetime)
    assert message.date.tzinfo is not None
    assert message.from_user is not None
    assert (message.from_user.id, message.from_user.full_name) == (anna.id, "Anna de Vries")
    assert message.from_user.language_code == "en"
    assert message.chat.type == telegram.constants.ChatType.PRIVATE
    assert message.entities[0].type == telegram.MessageEntity.BOT_COMMAND
    assert message.parse_entities(["bot_command"]) == {message.entities[0]: "/start"}


async def test_send_message_parses_into_a_message(bot: telegram.Bot, anna: SimUser) -> None:
    sent = await bot.send_message(
        anna.id, "<b>Welkom</b>, Anna!", parse_mode=ParseMode.HTML, reply_markup=_keyboard("Ja")
    )
    assert isinstance(sent, telegram.Message)
    assert sent.text == "Welkom, Anna!"
    assert sent.text_html == "<b>Welkom</b>, Anna!"
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "ja"
    edited = await sent.edit_text("Klaar")
    assert isinstance(edited, telegram.Message)
    assert edited.edit_date is not None


async def test_callback_query_round_trip(bot: telegram.Bot, emu: Emulator, anna: SimUser) -> None:
    sent = await bot.send_message(anna.id, "Kies", reply_markup=_keyboard("Ja", "Nee"))
    updates = await bot.get_updates()
    query_id = await emu.press_button(anna, sent, "Nee")
    (update,) = await bot.get_updates(offset=updates[-1].update_id + 1)
    query = update.callback_query
    assert isinstance(query, telegram.CallbackQuery)
    assert (query.id, query.data) == (query_id, "nee")
    assert query.from_user.id == anna.id
    assert isinstance(query.message, telegram.Message)
    assert query.message.message_id == sent.message_id
    assert query.chat_instance
    assert await query.answer("Jammer", show_alert=True) is True
    answer = await emu.wait_for_callback_answer(query_id, timeout=1)
    assert (answer.text, answer.show_alert) == ("Jammer", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()


async def test_chat_instance_is_stable_per_chat(emu: Emulator, anna: SimUser) -> None:
    bram = emu.add_user("Bram")
    group = emu.add_group("Buurt", members=[anna, bram])
    first = await emu.send_text(anna, "/a")
    second = await emu.send_text(bram, "/b", chat=group)
    assert first["chat"]["id"] != second["chat"]["id"]
    assert group.chat_instance == emu.chat(group.id).chat_instance
    assert group.chat_instance != emu.chat(anna).chat_instance


async def test_retry_after(
    bot: telegram.Bot, emu: Emulator, anna: SimUser, clock: FakeClock
) -> None:
    emu.set_limits(Limits(per_chat_burst=1))
    await bot.send_message(anna.id, "1")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "2")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    clock.advance(1)
    await bot.send_message(anna.id, "2")


async def test_bad_html_is_bad_request(bot: telegram.Bot, anna: SimUser) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(anna.id, "<p>alinea</p>", parse_mode=ParseMode.HTML)


async def test_blocked_user_is_forbidden(bot: telegram.Bot, emu: Emulator, anna: SimUser) -> None:
    await emu.block_bot(anna)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(anna.id, "Hallo?")
    (update, kicked) = await bot.get_updates()
    assert update.message is not None
    member_update = kicked.my_chat_member
    assert member_update is not None
    assert member_update.new_chat_member.status == "kicked"
    assert member_update.old_chat_member.status == "member"
    assert member_update.from_user.id == anna.id


async def test_send_photo_upload_and_file_id(
    bot: telegram.Bot, emu: Emulator, anna: SimUser
) -> None:
    sent = await bot.send_photo(
        anna.id, make_png(1600, 900), caption="<i>Kaart</i>", parse_mode="HTML"
    )
    sizes = [(p.width, p.height) for p in sent.photo]
    assert sizes == [(90, 51), (320, 180), (800, 450), (1280, 720), (1600, 900)]
    assert sent.caption == "Kaart"
    again = await bot.send_photo(anna.id, sent.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == make_png(1600, 900)
    views = emu.messages(anna)
    assert views[-1].photo is not None
    assert views[-2].caption_html == "<i>Kaart</i>"
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(anna.id, b"this is no picture")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(anna.id, "AgACunknown")


async def test_send_document_upload_keeps_name_type_and_bytes(
    bot: telegram.Bot, emu: Emulator, anna: SimUser
) -> None:
    payload = b'{"name": "Anna"}'
    sent = await bot.send_document(
        anna.id,
        telegram.InputFile(payload, filename="mijn-gegevens.json"),
        caption="<b>Je gegevens</b>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.document.file_name == "mijn-gegevens.json"
    assert sent.document.file_size == len(payload)
    assert sent.caption == "Je gegevens"
    view = emu.messages(anna)[-1]
    assert view.document is not None
    assert emu.world.file_bytes(view.document["file_id"]) == payload
    again = await bot.send_document(anna.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(anna.id, "BQACunknown")


async def test_send_location_and_chat_action(
    bot: telegram.Bot, emu: Emulator, anna: SimUser
) -> None:
    sent = await bot.send_location(anna.id, latitude=52.0907, longitude=5.1214)
    assert sent.location is not None
    assert (sent.location.latitude, sent.location.longitude) == (52.0907, 5.1214)
    assert await bot.send_chat_action(anna.id, telegram.constants.ChatAction.TYPING) is True
    view = emu.last_message(anna)
    assert view is not None
    assert view.location == {"latitude": 52.0907, "longitude": 5.1214}
    with pytest.raises(BadRequest, match="Wrong location"):
        await bot.send_location(anna.id, latitude=91, longitude=0)


async def test_commands_per_language_and_scope(
    bot: telegram.Bot, emu: Emulator, anna: SimUser
) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin")])
    await bot.set_my_commands([BotCommand("start", "Get started")], language_code="en")
    private_nl = [BotCommand("help", "Hulp")]
    await bot.set_my_commands(
        private_nl, scope=BotCommandScopeAllPrivateChats(), language_code="nl"
    )
    assert await bot.get_my_commands() == (BotCommand("start", "Begin"),)
    assert await bot.get_my_commands(language_code="en") == (BotCommand("start", "Get started"),)
    assert await bot.get_my_commands(language_code="de") == ()
    bram = emu.add_user("Bram", language_code="nl")
    assert emu.visible_commands(anna) == [{"command": "start", "description": "Get started"}]
    assert emu.visible_commands(bram) == [{"command": "help", "description": "Hulp"}]
    await bot.set_my_commands([BotCommand("x", "Alleen Anna")], scope=BotCommandScopeChat(anna.id))
    assert emu.visible_commands(anna)[0]["command"] == "x"
    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Hoofdletters mogen niet")])


async def test_chat_information(bot: telegram.Bot, emu: Emulator, anna: SimUser) -> None:
    group = emu.add_group("Buurt", members=[anna], bot_admin=True, supergroup=True)
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("supergroup", "Buurt")
    private = await bot.get_chat(anna.id)
    assert private.first_name == "Anna"
    member = await bot.get_chat_member(group.id, anna.id)
    assert isinstance(member, telegram.ChatMemberOwner)
    me = await bot.get_chat_member(group.id, emu.bot_id)
    assert isinstance(me, telegram.ChatMemberAdministrator)
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {anna.id, emu.bot_id}
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(-1)
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(anna.id)


async def test_webhook_info(bot: telegram.Bot, emu: Emulator, anna: SimUser) -> None:
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 1)
    await bot.set_webhook(
        "http://127.0.0.1:1/hook", secret_token="geheim", drop_pending_updates=True
    )
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("http://127.0.0.1:1/hook", 0)
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
