"""Checks for uploaded files (photos, evidence, imports) shared by every app.

The content is inspected, never the name or the browser's Content-Type: an SVG or HTML page
renamed .jpg, or a text file renamed .xlsx, is refused with a clear message.
"""

import zipfile

from django.conf import settings

from gasguard.core.errors import ValidationFailed

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_IMAGE_MB = 10


def validate_image(upload, *, field: str = "photo", max_mb: int = MAX_IMAGE_MB) -> str:
    """Return the MIME type of a real JPEG/PNG/WebP image or raise naming the field."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is not None and size > max_mb * 1024 * 1024:
        raise ValidationFailed(f"图片过大：{size / 1024 / 1024:.1f} MB，上限 {max_mb} MB", field=field)
    if not size:
        raise ValidationFailed("图片为空", field=field)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed("不是有效的图片文件（仅支持 JPEG、PNG、WebP）", field=field) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationFailed(f"不支持的图片格式 {fmt}（仅支持 JPEG、PNG、WebP）", field=field)
    return IMAGE_FORMATS[fmt]


def validate_xlsx(upload, *, field: str = "file") -> None:
    """Refuse anything that is not an .xlsx workbook (a zip holding xl/workbook.xml)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise ValidationFailed(
            f"文件过大：{size / 1024 / 1024:.1f} MB，上限 {limit // 1024 // 1024} MB", field=field
        )
    if not size:
        raise ValidationFailed("文件为空", field=field)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ValidationFailed(
            "不是有效的 Excel（.xlsx）文件，请用 Excel 另存为 .xlsx 后再导入", field=field
        ) from exc
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise ValidationFailed("不是有效的 Excel（.xlsx）文件，请用 Excel 另存为 .xlsx 后再导入", field=field)
