"""Message methods: send, edit, delete, chat actions and callback query answers."""

from __future__ import annotations

from botapi_emulator.api_base import MAX_CAPTION, MAX_TEXT, ApiBase
from botapi_emulator.errors import ApiError
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.params import Params
from botapi_emulator.state import CallbackAnswer, SimChat, StoredMessage

# deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WITHIN_SECONDS = 48 * 3600
MAX_CALLBACK_ANSWER = 200
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(ApiBase):
    """sendMessage, sendPhoto, sendDocument, sendLocation, sendChatAction, edits, deleteMessage,
    answerCallbackQuery."""

    async def send_message(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_writable(chat)
        formatted, html = self._format(
            params, "text", limit=MAX_TEXT, too_long="message is too long"
        )
        if not formatted.text:
            raise ApiError.bad_request("message text is empty")
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        return self._send(
            chat, markup, reply_to, text=formatted.text, html=html, entities=formatted.entities
        )

    async def send_photo(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_writable(chat)
        return self._send_with_caption(params, chat, photo=self._photo_sizes(params))

    async def send_document(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_writable(chat)
        return self._send_with_caption(params, chat, document=self._document(params))

    def _send_with_caption(self, params: Params, chat: SimChat, **media: object) -> JSONDict:
        """Send a photo or document with its optional caption, markup and reply."""
        caption, caption_html = self._format(
            params,
            "caption",
            entities_field="caption_entities",
            limit=MAX_CAPTION,
            too_long="message caption is too long",
        )
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        has_caption = bool(caption.text)
        return self._send(
            chat,
            markup,
            reply_to,
            caption=caption.text if has_caption else None,
            caption_html=caption_html if has_caption else None,
            caption_entities=caption.entities,
            **media,
        )

    def _photo_sizes(self, params: Params) -> list[JSONDict]:
        upload = params.upload("photo")
        if upload is not None:
            if not upload.data:
                raise ApiError.bad_request("file must be non-empty")
            try:
                return self.world.store_photo(upload.data)
            except ValueError as error:
                raise ApiError.bad_request("IMAGE_PROCESS_FAILED", str(error)) from None
        reference = params.string("photo")
        if not reference:
            raise ApiError.bad_request("there is no photo in the request")
        if reference.startswith(("http://", "https://")):
            raise ApiError.bad_request(
                "failed to get HTTP URL content",
                "the emulator never downloads URLs; upload the file or pass a file_id",
            )
        sizes = self.world.photos.get(reference)
        if sizes is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        return [dict(size) for size in sizes]

    def _document(self, params: Params) -> JSONDict:
        upload = params.upload("document")
        if upload is not None:
            if not upload.data:
                raise ApiError.bad_request("file must be non-empty")
            name = upload.filename or "document"
            mime = upload.content_type or "application/octet-stream"
            return self.world.store_document(upload.data, name, mime)
        reference = params.string("document")
        if not reference:
            raise ApiError.bad_request("there is no document in the request")
        if reference.startswith(("http://", "https://")):
            raise ApiError.bad_request(
                "failed to get HTTP URL content",
                "the emulator never downloads URLs; upload the file or pass a file_id",
            )
        known = self.world.documents.get(reference)
        if known is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        return dict(known)

    async def send_location(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_writable(chat)
        latitude = params.number("latitude", missing="latitude is empty")
        longitude = params.number("longitude", missing="longitude is empty")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ApiError.bad_request("wrong location specified", f"{latitude}, {longitude}")
        location: JSONDict = {"latitude": latitude, "longitude": longitude}
        accuracy = params.number("horizontal_accuracy")
        if accuracy is not None:
            location["horizontal_accuracy"] = accuracy
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        return self._send(chat, markup, reply_to, location=location)

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._param_chat(params)
        self._require_writable(chat)
        action = params.string("action", missing="action is empty")
        if action not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        self.world.record("chat_action", "sendChatAction", chat_id=chat.id, action=action)
        return True

    # -- editing and deleting ------------------------------------------------------------------

    def _editable(self, params: Params) -> StoredMessage:
        if params.has("inline_message_id"):
            raise ApiError.bad_request(
                "message to edit not found", "inline messages are not emulated"
            )
        chat = self._param_chat(params)
        self._require_writable(chat)
        message = self._message(params, chat, "message to edit not found")
        if not message.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return message

    def _mark_edited(self, message: StoredMessage) -> JSONDict:
        message.edit_date = self.world.now()
        message.edit_count += 1
        self.world.touch(message.chat)
        self.world.changed()
        return message.to_api()

    async def edit_message_text(self, params: Params) -> JSONDict:
        message = self._editable(params)
        if message.text is None:
            raise ApiError.bad_request("there is no text in the message to edit")
        formatted, html = self._format(
            params, "text", limit=MAX_TEXT, too_long="message is too long"
        )
        if not formatted.text:
            raise ApiError.bad_request("message text is empty")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = self._inline_markup(params)
        unchanged = (
            formatted.text == message.text
            and formatted.entities == message.entities
            and markup == message.reply_markup
        )
        if unchanged:
            raise ApiError.bad_request(NOT_MODIFIED)
        message.text, message.html, message.entities = formatted.text, html, formatted.entities
        message.reply_markup = markup
        return self._mark_edited(message)

    async def edit_message_caption(self, params: Params) -> JSONDict:
        message = self._editable(params)
        if message.photo is None:
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, html = self._format(
            params,
            "caption",
            entities_field="caption_entities",
            limit=MAX_CAPTION,
            too_long="message caption is too long",
        )
        new_caption = caption.text or None
        markup = self._inline_markup(params)
        unchanged = (
            new_caption == message.caption
            and caption.entities == message.caption_entities
            and markup == message.reply_markup
        )
        if unchanged:
            raise ApiError.bad_request(NOT_MODIFIED)
        message.caption = new_caption
        message.caption_html = html if new_caption else None
        message.caption_entities = caption.entities
        message.reply_markup = markup
        return self._mark_edited(message)

    async def edit_message_reply_markup(self, params: Params) -> JSONDict:
        message = self._editable(params)
        markup = self._inline_markup(params)
        if markup == message.reply_markup:
            raise ApiError.bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        return self._mark_edited(message)

    async def delete_message(self, params: Params) -> bool:
        chat = self._param_chat(params)
        self._require_member(chat)
        message = self._message(params, chat, "message to delete not found")
        if chat.is_group and not message.from_bot and chat.bot_status != "administrator":
            raise ApiError.bad_request(
                "message can't be deleted", "the bot must be an admin to delete others' messages"
            )
        if self.world.now() - message.date >= DELETE_WITHIN_SECONDS:
            raise ApiError.bad_request(
                "message can't be deleted for everyone",
                "a message can only be deleted if it was sent less than 48 hours ago",
            )
        message.deleted = True
        self.world.touch(chat)
        self.world.changed()
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.string("callback_query_id", missing=QUERY_INVALID)
        record = self.world.callback_queries.get(query_id)
        if record is None or record.answer is not None:
            raise ApiError.bad_request(QUERY_INVALID)
        text = params.string("text") or None
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError.bad_request("MESSAGE_TOO_LONG", f"{len(text)} characters, max 200")
        record.answer = CallbackAnswer(
            text=text,
            show_alert=params.flag("show_alert"),
            url=params.string("url"),
            cache_time=params.integer("cache_time") or 0,
        )
        self.world.touch(record.message.chat)
        self.world.changed()
        return True
